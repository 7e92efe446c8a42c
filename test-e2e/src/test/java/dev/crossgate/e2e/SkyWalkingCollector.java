package dev.crossgate.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.skywalking.apm.network.common.v3.Commands;
import org.apache.skywalking.apm.network.event.v3.Event;
import org.apache.skywalking.apm.network.event.v3.EventServiceGrpc;
import org.apache.skywalking.apm.network.language.agent.v3.ConfigurationDiscoveryServiceGrpc;
import org.apache.skywalking.apm.network.language.agent.v3.ConfigurationSyncRequest;
import org.apache.skywalking.apm.network.language.agent.v3.JVMMetricCollection;
import org.apache.skywalking.apm.network.language.agent.v3.JVMMetricReportServiceGrpc;
import org.apache.skywalking.apm.network.language.agent.v3.MeterData;
import org.apache.skywalking.apm.network.language.agent.v3.MeterReportServiceGrpc;
import org.apache.skywalking.apm.network.language.agent.v3.SegmentObject;
import org.apache.skywalking.apm.network.language.agent.v3.TraceSegmentReportServiceGrpc;
import org.apache.skywalking.apm.network.language.profile.v3.ProfileTaskCommandQuery;
import org.apache.skywalking.apm.network.language.profile.v3.ProfileTaskGrpc;
import org.apache.skywalking.apm.network.management.v3.InstancePingPkg;
import org.apache.skywalking.apm.network.management.v3.InstanceProperties;
import org.apache.skywalking.apm.network.management.v3.ManagementServiceGrpc;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;

/**
 * A stand-in for OAP built from SkyWalking's published protocol stubs: it records what arrives (trace segments,
 * JVM metrics, meters, events, heartbeats) and answers as OAP does, with no commands.
 */
final class SkyWalkingCollector implements AutoCloseable {

    final List<SegmentObject> segments = new CopyOnWriteArrayList<>();
    final List<JVMMetricCollection> jvmMetrics = new CopyOnWriteArrayList<>();
    final List<InstancePingPkg> pings = new CopyOnWriteArrayList<>();
    final List<InstanceProperties> properties = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final AtomicLong meters = new AtomicLong();
    /** Messages received per method, as the gateway's store-and-forward counts them. */
    final Map<String, AtomicLong> messagesByMethod = new ConcurrentHashMap<>();
    private final Server server;

    SkyWalkingCollector() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new TraceSegmentReportServiceGrpc.TraceSegmentReportServiceImplBase() {
                    @Override
                    public StreamObserver<SegmentObject> collect(StreamObserver<Commands> answer) {
                        return collecting("TraceSegmentReportService/collect", segments, answer);
                    }
                })
                .addService(new JVMMetricReportServiceGrpc.JVMMetricReportServiceImplBase() {
                    @Override
                    public void collect(JVMMetricCollection metrics, StreamObserver<Commands> answer) {
                        count("JVMMetricReportService/collect");
                        jvmMetrics.add(metrics);
                        noCommands(answer);
                    }
                })
                .addService(new MeterReportServiceGrpc.MeterReportServiceImplBase() {
                    @Override
                    public StreamObserver<MeterData> collect(StreamObserver<Commands> answer) {
                        return collecting("MeterReportService/collect", null, answer);
                    }
                })
                .addService(new EventServiceGrpc.EventServiceImplBase() {
                    @Override
                    public StreamObserver<Event> collect(StreamObserver<Commands> answer) {
                        return collecting("EventService/collect", events, answer);
                    }
                })
                .addService(new ManagementServiceGrpc.ManagementServiceImplBase() {
                    @Override
                    public void reportInstanceProperties(InstanceProperties request, StreamObserver<Commands> answer) {
                        count("ManagementService/reportInstanceProperties");
                        properties.add(request);
                        noCommands(answer);
                    }

                    @Override
                    public void keepAlive(InstancePingPkg request, StreamObserver<Commands> answer) {
                        count("ManagementService/keepAlive");
                        pings.add(request);
                        noCommands(answer);
                    }
                })
                .addService(new ConfigurationDiscoveryServiceGrpc.ConfigurationDiscoveryServiceImplBase() {
                    @Override
                    public void fetchConfigurations(ConfigurationSyncRequest request, StreamObserver<Commands> answer) {
                        noCommands(answer);
                    }
                })
                .addService(new ProfileTaskGrpc.ProfileTaskImplBase() {
                    @Override
                    public void getProfileTaskCommands(ProfileTaskCommandQuery request, StreamObserver<Commands> answer) {
                        noCommands(answer);
                    }
                })
                .build().start();
    }

    int port() {
        return server.getPort();
    }

    /** Every report message received, all methods together. */
    long reports() {
        return messagesByMethod.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private <T> StreamObserver<T> collecting(String method, List<T> into, StreamObserver<Commands> answer) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T message) {
                count(method);
                if (into != null) {
                    into.add(message);
                } else {
                    meters.incrementAndGet();
                }
            }

            @Override
            public void onError(Throwable t) {
                // the sender went away; what arrived is recorded
            }

            @Override
            public void onCompleted() {
                noCommands(answer);
            }
        };
    }

    private void count(String method) {
        messagesByMethod.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
    }

    private static void noCommands(StreamObserver<Commands> answer) {
        answer.onNext(Commands.getDefaultInstance());
        answer.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
