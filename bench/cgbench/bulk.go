package main

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// The bulk protocol: the client sends an 8-byte length and that many bytes; the server reads them
// all and answers one byte. It needs no half-close, so it runs unchanged over TLS and through every proxy.

func runBulkServer(args []string) error {
	fs, tlsf := tlsCommand("bulk-server")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	fs.Parse(args)

	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if tlsf.enabled() {
		cfg, err := tlsf.server()
		if err != nil {
			return err
		}
		listener = tls.NewListener(listener, cfg)
	}
	fmt.Printf("bulk-server listening on %s\n", listener.Addr())
	onStop(func() { listener.Close() })
	for {
		conn, err := listener.Accept()
		if err != nil {
			return nil
		}
		go sinkConnection(conn)
	}
}

func sinkConnection(conn net.Conn) {
	defer conn.Close()
	var header [8]byte
	for {
		if _, err := io.ReadFull(conn, header[:]); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, conn, int64(binary.BigEndian.Uint64(header[:]))); err != nil {
			return
		}
		if _, err := conn.Write([]byte{1}); err != nil {
			return
		}
	}
}

func runBulk(args []string) error {
	fs, target, tlsf := measuringCommand("bulk")
	addr := fs.String("addr", "", "host:port")
	connections := fs.Int("connections", 2, "parallel transfers")
	megabytes := fs.Int64("mb", 256, "megabytes per transfer")
	fs.Parse(args)

	cfg, err := tlsf.client()
	if err != nil {
		return err
	}
	perTransfer := *megabytes << 20
	errs := make(chan error, *connections)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < *connections; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- transfer(*addr, cfg, perTransfer)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return target.write(figure{"throughput", "MB/s", true, float64(perTransfer) * float64(*connections) / elapsed / 1e6})
}

func transfer(addr string, cfg *tls.Config, size int64) error {
	conn, err := dialTLS(addr, cfg, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Minute))
	var header [8]byte
	binary.BigEndian.PutUint64(header[:], uint64(size))
	if _, err := conn.Write(header[:]); err != nil {
		return err
	}
	chunk := make([]byte, 64<<10)
	for left := size; left > 0; {
		n := int64(len(chunk))
		if left < n {
			n = left
		}
		if _, err := conn.Write(chunk[:n]); err != nil {
			return err
		}
		left -= n
	}
	var ack [1]byte
	if _, err := io.ReadFull(conn, ack[:]); err != nil {
		return fmt.Errorf("no acknowledgement after %d bytes: %w", size, err)
	}
	return nil
}
