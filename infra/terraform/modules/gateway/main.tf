# The Kubernetes objects of k8s/base through the kubernetes provider, for Terraform users: the same security
# context, probes, drain time and least-privilege Role.

locals {
  labels = { "app.kubernetes.io/name" = "crossgate", "app.kubernetes.io/instance" = var.name }
}

resource "kubernetes_namespace_v1" "this" {
  metadata {
    name   = var.namespace
    labels = { "pod-security.kubernetes.io/enforce" = "restricted" }
  }
}

resource "kubernetes_service_account_v1" "this" {
  metadata {
    name        = var.name
    namespace   = kubernetes_namespace_v1.this.metadata[0].name
    labels      = local.labels
    annotations = var.iam_role_arn == null ? {} : { "eks.amazonaws.com/role-arn" = var.iam_role_arn }
  }
}

resource "kubernetes_role_v1" "secrets" {
  count = length(var.secret_names) > 0 ? 1 : 0
  metadata {
    name      = "${var.name}-secrets"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }
  rule {
    api_groups     = [""]
    resources      = ["secrets"]
    resource_names = var.secret_names
    verbs          = ["get", "list", "watch"]
  }
}

resource "kubernetes_role_binding_v1" "secrets" {
  count = length(var.secret_names) > 0 ? 1 : 0
  metadata {
    name      = "${var.name}-secrets"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = kubernetes_role_v1.secrets[0].metadata[0].name
  }
  subject {
    kind      = "ServiceAccount"
    name      = kubernetes_service_account_v1.this.metadata[0].name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
  }
}

resource "kubernetes_deployment_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }
  spec {
    replicas = var.replicas.min
    selector {
      match_labels = local.labels
    }
    template {
      metadata {
        labels = local.labels
      }
      spec {
        service_account_name = kubernetes_service_account_v1.this.metadata[0].name
        # above the gateway's 20 s drain, so SIGTERM lets requests in flight finish
        termination_grace_period_seconds = 30
        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          run_as_group    = 10001
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }
        topology_spread_constraint {
          max_skew           = 1
          topology_key       = "topology.kubernetes.io/zone"
          when_unsatisfiable = "ScheduleAnyway"
          label_selector {
            match_labels = local.labels
          }
        }
        container {
          name  = "crossgate"
          image = var.image
          dynamic "env" {
            for_each = merge(var.env, { CROSSGATE_ADMIN_HOST = "0.0.0.0", CROSSGATE_ADMIN_PORT = "9901" })
            content {
              name  = env.key
              value = env.value
            }
          }
          port {
            name           = "admin"
            container_port = 9901
          }
          dynamic "port" {
            for_each = var.ports
            content {
              name           = substr(port.key, 0, 15)
              container_port = port.value
            }
          }
          readiness_probe {
            http_get {
              path = "/health/readiness"
              port = "admin"
            }
            period_seconds    = 5
            failure_threshold = 2
          }
          liveness_probe {
            http_get {
              path = "/health/liveness"
              port = "admin"
            }
            initial_delay_seconds = 10
            period_seconds        = 10
          }
          resources {
            requests = { cpu = var.resources.cpu_request, memory = var.resources.memory_request }
            limits   = { cpu = var.resources.cpu_limit, memory = var.resources.memory_limit }
          }
          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            capabilities {
              drop = ["ALL"]
            }
          }
          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }
        volume {
          name = "tmp"
          empty_dir {
            medium     = "Memory"
            size_limit = "64Mi"
          }
        }
      }
    }
  }
}

resource "kubernetes_service_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
    annotations = var.internal_load_balancer ? {
      "service.beta.kubernetes.io/aws-load-balancer-type"            = "external"
      "service.beta.kubernetes.io/aws-load-balancer-scheme"          = "internal"
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type" = "ip"
    } : {}
  }
  spec {
    type     = var.internal_load_balancer ? "LoadBalancer" : "ClusterIP"
    selector = local.labels
    dynamic "port" {
      for_each = var.ports
      content {
        name        = port.key
        port        = port.value
        target_port = port.value
      }
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }
  spec {
    min_available = 1
    selector {
      match_labels = local.labels
    }
  }
}

resource "kubernetes_horizontal_pod_autoscaler_v2" "this" {
  metadata {
    name      = var.name
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }
  spec {
    min_replicas = var.replicas.min
    max_replicas = var.replicas.max
    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = kubernetes_deployment_v1.this.metadata[0].name
    }
    metric {
      type = "Resource"
      resource {
        name = "cpu"
        target {
          type                = "Utilization"
          average_utilization = 70
        }
      }
    }
  }
}
