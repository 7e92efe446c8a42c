terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.25"
    }
  }
}

provider "aws" {
  alias  = "ca"
  region = var.ca_region
}

provider "kubernetes" {
  alias          = "region_a"
  config_path    = var.kubeconfig
  config_context = var.region_a.kube_context
}

provider "kubernetes" {
  alias          = "region_b"
  config_path    = var.kubeconfig
  config_context = var.region_b.kube_context
}
