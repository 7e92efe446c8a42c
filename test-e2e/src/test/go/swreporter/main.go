// Command swreporter reports trace segments the way the SkyWalking Go agent's gRPC reporter does, configured by the
// same SW_AGENT_REPORTER_GRPC_* variables: its transport credentials are built as the agent builds them (TLS 1.2+ with
// renegotiation refused, the CA of ca_path, insecure_skip_verify, and a client key pair read by tls.LoadX509KeyPair,
// which takes PKCS#1, PKCS#8 and SEC1 keys). The agent itself (github.com/apache/skywalking-go) is not served by the
// Go module proxy here, so its reporter's TLS set-up is reproduced for Crossgate's tests.
//
// It sends SW_SEGMENTS segments on one TraceSegmentReportService/collect stream and prints each segment id it sent.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/encoding/protowire"
)

// raw passes bytes through: the segments are encoded by hand below, the answer (Commands) is not read.
type raw struct{}

func (raw) Name() string { return "proto" }

func (raw) Marshal(v any) ([]byte, error) { return *(v.(*[]byte)), nil }

func (raw) Unmarshal(data []byte, v any) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "swreporter:", err)
		os.Exit(1)
	}
}

func run() error {
	encoding.RegisterCodec(raw{})
	creds := insecure.NewCredentials()
	if os.Getenv("SW_AGENT_REPORTER_GRPC_TLS_ENABLE") == "true" {
		tlsCreds, err := transportCredentials(os.Getenv("SW_AGENT_REPORTER_GRPC_TLS_CA_PATH"),
			os.Getenv("SW_AGENT_REPORTER_GRPC_TLS_CLIENT_KEY_PATH"), os.Getenv("SW_AGENT_REPORTER_GRPC_TLS_CLIENT_CERT_CHAIN_PATH"),
			os.Getenv("SW_AGENT_REPORTER_GRPC_TLS_INSECURE_SKIP_VERIFY") == "true")
		if err != nil {
			return err
		}
		creds = tlsCreds
	}
	conn, err := grpc.NewClient(os.Getenv("SW_AGENT_REPORTER_GRPC_BACKEND_SERVICE"), grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream, err := conn.NewStream(ctx, &grpc.StreamDesc{ClientStreams: true},
		"/skywalking.v3.TraceSegmentReportService/collect", grpc.CallContentSubtype("proto"))
	if err != nil {
		return err
	}
	count, _ := strconv.Atoi(os.Getenv("SW_SEGMENTS"))
	service := os.Getenv("SW_AGENT_NAME")
	for i := 0; i < count; i++ {
		id := fmt.Sprintf("%s.segment.%d.%d", service, time.Now().UnixNano(), i)
		segment := segmentObject(id, service)
		if err := stream.SendMsg(&segment); err != nil {
			return fmt.Errorf("sending segment %d: %w", i, err)
		}
		fmt.Println(id)
	}
	if err := stream.CloseSend(); err != nil {
		return err
	}
	var answer []byte
	return stream.RecvMsg(&answer)
}

// transportCredentials is the agent's credential set-up: the CA file is required even when verification is skipped.
func transportCredentials(caPath, clientKeyPath, clientCertChainPath string, skipVerify bool) (credentials.TransportCredentials, error) {
	config := &tls.Config{Renegotiation: tls.RenegotiateNever, InsecureSkipVerify: skipVerify}
	caPem, err := os.ReadFile(caPath)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPem) {
		return nil, fmt.Errorf("no certificate in %s", caPath)
	}
	config.RootCAs = pool
	if clientKeyPath != "" && clientCertChainPath != "" {
		pair, err := tls.LoadX509KeyPair(clientCertChainPath, clientKeyPath)
		if err != nil {
			return nil, err
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return credentials.NewTLS(config), nil
}

// segmentObject encodes skywalking.v3.SegmentObject{traceId, traceSegmentId, service, serviceInstance} (fields 1, 2, 4, 5).
func segmentObject(id, service string) []byte {
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, id)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendString(b, id)
	b = protowire.AppendTag(b, 4, protowire.BytesType)
	b = protowire.AppendString(b, service)
	b = protowire.AppendTag(b, 5, protowire.BytesType)
	b = protowire.AppendString(b, service+"-instance")
	return b
}
