package dev.crossgate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.crossgate.tls.TestPki;
import io.grpc.CallOptions;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

/**
 * gRPC through the gateway with grpc-java on both ends, mTLS on both hops: all four call types with flow
 * control, status, trailers, metadata and deadlines preserved, and UNAVAILABLE when the backend is down.
 */
class GrpcDataPlaneTest {

    private static final String SERVICE = "crossgate.test.Echo";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<byte[], byte[]> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<byte[], byte[]> SERVER_STREAM = method("ServerStream", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<byte[], byte[]> CLIENT_STREAM = method("ClientStream", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<byte[], byte[]> BIDI = method("Bidi", MethodDescriptor.MethodType.BIDI_STREAMING);
    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> WHY = Metadata.Key.of("x-why", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    Path dir;

    private final TestPki edgeCa = TestPki.create("grpc-edge-ca");
    private final TestPki backendCa = TestPki.create("grpc-backend-ca");
    private final List<String> requestIdsSeen = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<Long> deadlineSeenMillis = new AtomicReference<>();
    private Server backend;
    private GatewayProcess gateway;
    private ManagedChannel channel;
    private int port;

    private static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type).setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    }

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("b"));
        Files.createDirectories(dir.resolve("l"));
        Files.createDirectories(dir.resolve("c"));
        backendCa.writeFiles(backendCa.server("collector.internal"), dir.resolve("b/tls.crt"), dir.resolve("b/tls.key"), dir.resolve("b/ca.crt"));
        edgeCa.writeFiles(edgeCa.server("localhost"), dir.resolve("l/tls.crt"), dir.resolve("l/tls.key"), dir.resolve("l/ca.crt"));
        backendCa.writeFiles(backendCa.client("gateway-b"), dir.resolve("c/tls.crt"), dir.resolve("c/tls.key"), dir.resolve("c/ca.crt"));
        edgeCa.writeFiles(edgeCa.client("agent", "agent.region-a"), dir.resolve("agent.crt"), dir.resolve("agent.key"), null);
        backend = Grpc.newServerBuilderForPort(0, TlsServerCredentials.newBuilder()
                        .keyManager(dir.resolve("b/tls.crt").toFile(), dir.resolve("b/tls.key").toFile())
                        .trustManager(dir.resolve("b/ca.crt").toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build())
                .addService(ServerInterceptors.intercept(service(), recordMetadata()))
                .build().start();
        port = Processes.freePort();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.close();
        }
        if (backend != null) {
            backend.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void startGateway(int backendPort) throws Exception {
        Map<String, String> env = new HashMap<>();
        GatewayEnv.fileSource(env, "edge", dir.resolve("l/tls.crt"), dir.resolve("l/tls.key"), dir.resolve("l/ca.crt"));
        GatewayEnv.fileSource(env, "upstream", dir.resolve("c/tls.crt"), dir.resolve("c/tls.key"), dir.resolve("c/ca.crt"));
        GatewayEnv.tlsListener(env, "oap", port, "grpc", "edge", "collector");
        env.put("CROSSGATE_LISTENERS_OAP_TLS_CLIENT_AUTH", "require");
        GatewayEnv.mtlsConnector(env, "collector", "127.0.0.1:" + backendPort, "upstream", "collector.internal");
        gateway = GatewayProcess.start(dir, env).awaitReady();
        channel = Grpc.newChannelBuilderForAddress("localhost", port, TlsChannelCredentials.newBuilder()
                .keyManager(dir.resolve("agent.crt").toFile(), dir.resolve("agent.key").toFile())
                .trustManager(dir.resolve("l/ca.crt").toFile()).build()).build();
    }

    @Test
    void allFourCallTypesWithStatusTrailersAndMetadata() throws Exception {
        startGateway(backend.getPort());
        Metadata headers = new Metadata();
        headers.put(REQUEST_ID, "req-42");
        var callOptions = CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS);
        var withMetadata = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));

        // unary
        assertThat(new String(ClientCalls.blockingUnaryCall(withMetadata, UNARY, callOptions, "ping".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("pong:ping");
        assertThat(requestIdsSeen).contains("req-42");
        assertThat(deadlineSeenMillis.get()).as("the deadline travels as grpc-timeout").isBetween(1_000L, 60_000L);

        // an error status with its message and trailing metadata, untouched
        Metadata trailers = new Metadata();
        try {
            ClientCalls.blockingUnaryCall(channel, UNARY, callOptions, "deny".getBytes(StandardCharsets.UTF_8));
            throw new AssertionError("expected PERMISSION_DENIED");
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as("%s", e.getStatus()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).isEqualTo("not you: ünïcode kept");
            trailers = e.getTrailers();
        }
        assertThat(trailers.get(WHY)).isEqualTo("testing");

        // server streaming: 1,000 messages in order
        Iterator<byte[]> stream = ClientCalls.blockingServerStreamingCall(channel, SERVER_STREAM, callOptions, ByteBuffer.allocate(4).putInt(1000).array());
        int expected = 0;
        while (stream.hasNext()) {
            assertThat(ByteBuffer.wrap(stream.next()).getInt()).isEqualTo(expected++);
        }
        assertThat(expected).isEqualTo(1000);

        // client streaming: 100 MB in 1 MB messages, flow-controlled end to end
        CompletableFuture<byte[]> summed = new CompletableFuture<>();
        StreamObserver<byte[]> upload = ClientCalls.asyncClientStreamingCall(channel.newCall(CLIENT_STREAM, callOptions), observer(summed));
        byte[] megabyte = new byte[1024 * 1024];
        for (int i = 0; i < 100; i++) {
            upload.onNext(megabyte);
        }
        upload.onCompleted();
        assertThat(new String(summed.get(120, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo(Long.toString(100L * 1024 * 1024));

        // bidirectional: every message echoed, in order
        List<String> echoed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        StreamObserver<byte[]> bidi = ClientCalls.asyncBidiStreamingCall(channel.newCall(BIDI, callOptions), new StreamObserver<>() {
            public void onNext(byte[] value) {
                echoed.add(new String(value, StandardCharsets.UTF_8));
            }

            public void onError(Throwable t) {
                done.countDown();
            }

            public void onCompleted() {
                done.countDown();
            }
        });
        for (int i = 0; i < 200; i++) {
            bidi.onNext(("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        bidi.onCompleted();
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(echoed).hasSize(200).startsWith("m0", "m1").endsWith("m199");
        assertThat(gateway.stat("listener.oap.ssl.versions.TLSv1.3")).isGreaterThanOrEqualTo(1);
        // every call above went over one pooled HTTP/2 connection to the backend
        assertThat(gateway.stat("connector.collector.ssl.handshake")).isEqualTo(1);
    }

    @Test
    void deadlinesApplyThroughTheGateway() throws Exception {
        startGateway(backend.getPort());
        ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT, "warm".getBytes(StandardCharsets.UTF_8)); // connections up
        try {
            ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT.withDeadlineAfter(800, TimeUnit.MILLISECONDS),
                    "slow".getBytes(StandardCharsets.UTF_8));
            throw new AssertionError("expected DEADLINE_EXCEEDED");
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        }
        assertThat(deadlineSeenMillis.get()).isLessThanOrEqualTo(800L);
    }

    @Test
    void backendThatIsDownGivesUnavailableWithAReason() throws Exception {
        int closed = Processes.freePort();
        startGateway(closed);
        try {
            ClientCalls.blockingUnaryCall(channel, UNARY, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), "ping".getBytes(StandardCharsets.UTF_8));
            throw new AssertionError("expected UNAVAILABLE");
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).isEqualTo("the backend of connector collector refused the connection");
        }
    }

    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    String text = new String(request, StandardCharsets.UTF_8);
                    if (text.equals("deny")) {
                        Metadata trailers = new Metadata();
                        trailers.put(WHY, "testing");
                        response.onError(Status.PERMISSION_DENIED.withDescription("not you: ünïcode kept").asRuntimeException(trailers));
                        return;
                    }
                    if (text.equals("slow")) {
                        sleep(2000);
                    }
                    response.onNext(("pong:" + text).getBytes(StandardCharsets.UTF_8));
                    response.onCompleted();
                }))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
                    int count = ByteBuffer.wrap(request).getInt();
                    for (int i = 0; i < count; i++) {
                        response.onNext(ByteBuffer.allocate(4).putInt(i).array());
                    }
                    response.onCompleted();
                }))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(response -> new StreamObserver<byte[]>() {
                    private final AtomicLong total = new AtomicLong();

                    public void onNext(byte[] value) {
                        total.addAndGet(value.length);
                    }

                    public void onError(Throwable t) {
                    }

                    public void onCompleted() {
                        response.onNext(Long.toString(total.get()).getBytes(StandardCharsets.UTF_8));
                        response.onCompleted();
                    }
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(response -> new StreamObserver<byte[]>() {
                    public void onNext(byte[] value) {
                        response.onNext(value);
                    }

                    public void onError(Throwable t) {
                    }

                    public void onCompleted() {
                        response.onCompleted();
                    }
                }))
                .build();
    }

    private ServerInterceptor recordMetadata() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String id = headers.get(REQUEST_ID);
                if (id != null) {
                    requestIdsSeen.add(id);
                }
                io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
                if (deadline != null) {
                    deadlineSeenMillis.set(deadline.timeRemaining(TimeUnit.MILLISECONDS));
                }
                return Contexts.interceptCall(io.grpc.Context.current(), call, headers, next);
            }
        };
    }

    private static StreamObserver<byte[]> observer(CompletableFuture<byte[]> result) {
        return new StreamObserver<>() {
            public void onNext(byte[] value) {
                result.complete(value);
            }

            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            public void onCompleted() {
            }
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
