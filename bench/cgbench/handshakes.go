package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// runHandshakes opens a new TLS connection per request, with no resumption: each connection is a
// full handshake followed by one HTTP/1.1 request with Connection: close.
func runHandshakes(args []string) error {
	fs, target, tlsf := measuringCommand("handshakes")
	addr := fs.String("addr", "", "host:port of the proxy")
	path := fs.String("path", "/100b", "request path")
	concurrency := fs.Int("c", 16, "concurrent connections")
	duration := fs.Duration("d", 5*time.Second, "measuring time")
	cpu := newProxyCPU(fs, false)
	fs.Parse(args)

	cfg, err := tlsf.client("http/1.1")
	if err != nil {
		return err
	}
	request := closingRequest(*path, tlsf.serverName)
	var ok atomic.Int64
	var failed failures
	if err := cpu.start(); err != nil {
		return err
	}
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < *concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := oneHandshakeRequest(*addr, cfg, request); err != nil {
					failed.add(err)
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	failed.report("handshakes", "connections")
	return cpu.write(target, "handshake", float64(ok.Load()),
		figure{"handshakes", "/s", true, float64(ok.Load()) / elapsed},
		figure{"failed", "count", false, float64(failed.count.Load())},
	)
}

var status200 = []byte("HTTP/1.1 200")

// closingRequest is a GET after which the server closes the connection.
func closingRequest(path, host string) []byte {
	return []byte(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host))
}

func oneHandshakeRequest(addr string, cfg *tls.Config, request []byte) error {
	conn, err := dialTLS(addr, cfg, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(request); err != nil {
		return err
	}
	reader := bufio.NewReader(conn)
	status, err := reader.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(status, status200) {
		return fmt.Errorf("status %q", bytes.TrimSpace(status))
	}
	return discardBody(reader)
}

// discardBody reads the headers and a Content-Length body; without a length it reads to the end.
func discardBody(reader *bufio.Reader) error {
	length := int64(-1)
	for {
		line, err := reader.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			break
		}
		if name, value, found := bytes.Cut(line, []byte(":")); found && bytes.EqualFold(name, []byte("content-length")) {
			length, err = strconv.ParseInt(string(bytes.TrimSpace(value)), 10, 64)
			if err != nil {
				return err
			}
		}
	}
	if length >= 0 {
		_, err := io.CopyN(io.Discard, reader, length)
		return err
	}
	_, err := io.Copy(io.Discard, reader)
	if err == io.ErrUnexpectedEOF {
		return nil
	}
	return err
}
