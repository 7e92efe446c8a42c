package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// frame is a gRPC message kept as raw bytes: the benchmark needs sizes, not protobuf types, and a
// codec of raw bytes keeps the load generator's own cost out of the figures.
type frame struct{ payload []byte }

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.(*frame).payload, nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	f := v.(*frame)
	f.payload = append(f.payload[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

// collectMethod is shaped like SkyWalking's TraceSegmentReportService/collect: a client stream of
// segments answered by one empty message when the client closes its side.
const collectMethod = "/bench.Sink/Collect"

var sinkService = grpc.ServiceDesc{
	ServiceName: "bench.Sink",
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "Collect",
		ClientStreams: true,
		Handler: func(_ any, stream grpc.ServerStream) error {
			var f frame
			for {
				err := stream.RecvMsg(&f)
				if err == io.EOF {
					return stream.SendMsg(&frame{})
				}
				if err != nil {
					return err
				}
			}
		},
	}},
}

func runGrpcServer(args []string) error {
	fs, tlsf := tlsCommand("grpc-server")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	fs.Parse(args)

	options := []grpc.ServerOption{grpc.ForceServerCodec(rawCodec{}), grpc.MaxConcurrentStreams(1000)}
	if tlsf.enabled() {
		cfg, err := tlsf.server("h2")
		if err != nil {
			return err
		}
		options = append(options, grpc.Creds(credentials.NewTLS(cfg)))
	}
	server := grpc.NewServer(options...)
	server.RegisterService(&sinkService, struct{}{})
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("grpc-server listening on %s\n", listener.Addr())
	onStop(server.Stop)
	return server.Serve(listener)
}

// runGrpcStream keeps many long-lived client streams sending 1 KiB messages, as SkyWalking agents do
// with trace segments, and counts what the server acknowledged by closing each stream cleanly.
func runGrpcStream(args []string) error {
	fs, target, tlsf := measuringCommand("grpc-stream")
	addr := fs.String("addr", "", "host:port")
	connections := fs.Int("connections", 8, "client connections (one per agent)")
	streams := fs.Int("streams", 8, "concurrent client streams per connection")
	size := fs.Int("size", 1024, "message size in bytes")
	duration := fs.Duration("d", 5*time.Second, "measuring time")
	fs.Parse(args)

	cfg, err := tlsf.client("h2")
	if err != nil {
		return err
	}
	creds := credentials.NewTLS(cfg)
	payload := make([]byte, *size)
	for i := range payload {
		payload[i] = byte(i)
	}
	var sent atomic.Int64
	var failed failures
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < *connections; c++ {
		conn, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(creds), grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
		if err != nil {
			return err
		}
		defer conn.Close()
		for s := 0; s < *streams; s++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := streamUntil(conn, payload, deadline)
				if err != nil {
					failed.add(err)
					return
				}
				sent.Add(n)
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	failed.report("grpc-stream", "streams")
	messages := float64(sent.Load()) / elapsed
	return target.write(
		figure{"messages", "/s", true, messages},
		figure{"throughput", "MB/s", true, messages * float64(*size) / 1e6},
		figure{"failed_streams", "count", false, float64(failed.count.Load())},
	)
}

// streamUntil sends on one stream until the deadline; its messages count only once the server has
// received them all and answered.
func streamUntil(conn *grpc.ClientConn, payload []byte, deadline time.Time) (int64, error) {
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(30*time.Second))
	defer cancel()
	stream, err := conn.NewStream(ctx, &sinkService.Streams[0], collectMethod)
	if err != nil {
		return 0, err
	}
	message := &frame{payload: payload}
	var n int64
	for time.Now().Before(deadline) {
		if err := stream.SendMsg(message); err != nil {
			return 0, err
		}
		n++
	}
	if err := stream.CloseSend(); err != nil {
		return 0, err
	}
	if err := stream.RecvMsg(&frame{}); err != nil {
		return 0, err
	}
	return n, nil
}
