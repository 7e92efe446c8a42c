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

    /**
     * One collector method: its service's short name for counters, whether it may be stored and forwarded, and whether
     * one call carries many messages (client streaming) or exactly one (unary).
     */
    public record Method(String fullName, String service, boolean storable, boolean streaming) {
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

    /** The collector method by its full name ({@code skywalking.v3.TraceSegmentReportService/collect}). */
    public static Optional<Method> byName(String fullName) {
        return byPath("/" + fullName);
    }


    public static List<Method> all() {
        return List.copyOf(BY_PATH.values());
    }

    private static Map<String, Method> index() {
        Map<String, Method> methods = new HashMap<>();
        for (ServiceDescriptor service : SERVICES) {
            String shortName = service.getName().substring(service.getName().lastIndexOf('.') + 1);
            for (MethodDescriptor<?, ?> method : service.getMethods()) {
                methods.put("/" + method.getFullMethodName(), new Method(method.getFullMethodName(), shortName, storable(method),
                        method.getType() == MethodDescriptor.MethodType.CLIENT_STREAMING));
            }
        }
        return Map.copyOf(methods);
    }

    /**
     * Reports: calls that OAP answers with {@code Commands} (which an agent reads only for commands such as a profiling
     * task) and whose name does not ask a question. Those that ask ({@code ProfileTask/getProfileTaskCommands},
     * {@code ConfigurationDiscoveryService/fetchConfigurations}) need OAP's own answer and are proxied, as is every other call.
     */
    private static boolean storable(MethodDescriptor<?, ?> method) {
        boolean answersCommands = method.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> marshaller
                && marshaller.getMessagePrototype() instanceof Commands;
        String name = method.getBareMethodName();
        return answersCommands && name != null && !name.startsWith("get") && !name.startsWith("fetch");
    }
}
