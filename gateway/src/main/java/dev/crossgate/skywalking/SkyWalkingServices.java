package dev.crossgate.skywalking;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.skywalking.apm.network.common.v3.Commands;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;

/**
 * SkyWalking's collector services as the published stubs ({@code apm-network}) describe them: which gRPC methods
 * are reports an agent sends and forgets (answered with {@code Commands} it only reads for commands, so gateway A
 * may answer them itself and forward later), and which are questions only OAP can answer (proxied).
 */
public final class SkyWalkingServices {

    /** One collector method: its service's short name for counters, and whether it may be stored and forwarded. */
    public record Method(String fullName, String service, boolean storable) {
    }

    private static final List<ServiceDescriptor> SERVICES = List.of(
            org.apache.skywalking.apm.network.language.agent.v3.TraceSegmentReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.JVMMetricReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.CLRMetricReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.MeterReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.BrowserPerfServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.SpanAttachedEventReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.ConfigurationDiscoveryServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.logging.v3.LogReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.event.v3.EventServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.management.v3.ManagementServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.profile.v3.ProfileTaskGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.compat.TraceSegmentReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.compat.JVMMetricReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.compat.CLRMetricReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.compat.MeterReportServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.agent.v3.compat.BrowserPerfServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.management.v3.compat.ManagementServiceGrpc.getServiceDescriptor(),
            org.apache.skywalking.apm.network.language.profile.v3.compat.ProfileTaskGrpc.getServiceDescriptor());

    private static final Map<String, Method> BY_PATH = index();

    private SkyWalkingServices() {
    }

    /** The collector method a request path ({@code /skywalking.v3.TraceSegmentReportService/collect}) calls, if it is one. */
    public static Optional<Method> byPath(String path) {
        return Optional.ofNullable(BY_PATH.get(path));
    }

    public static List<Method> all() {
        return List.copyOf(BY_PATH.values());
    }

    private static Map<String, Method> index() {
        Map<String, Method> methods = new HashMap<>();
        for (ServiceDescriptor service : SERVICES) {
            String shortName = service.getName().substring(service.getName().lastIndexOf('.') + 1);
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                methods.put("/" + method.getFullMethodName(), new Method(method.getFullMethodName(), shortName, storable(method, shortName)));
            }
        }
        return Map.copyOf(methods);
    }

    /**
     * Streams of reports that OAP answers with {@code Commands}, and the management heartbeats: an answer from gateway A
     * loses nothing the agent acts on. Unary calls that return {@code Commands} elsewhere are questions (a profiling
     * task poll) and go to OAP, as do configuration discovery and every other call.
     */
    private static boolean storable(MethodDescriptor<?, ?> method, String service) {
        boolean answersCommands = method.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> marshaller
                && marshaller.getMessagePrototype() instanceof Commands;
        if (!answersCommands) {
            return false;
        }
        return method.getType() == MethodDescriptor.MethodType.CLIENT_STREAMING || service.equals("ManagementService");
    }
}
