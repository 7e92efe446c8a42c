package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"time"
)

// tlsFlags are the TLS settings every client and server subcommand takes.
type tlsFlags struct {
	ca, cert, key, serverName string
	verify                    bool
}

func newTLSFlags(fs *flag.FlagSet) *tlsFlags {
	t := &tlsFlags{}
	fs.StringVar(&t.ca, "ca", "", "CA bundle (PEM) to verify the peer; a server with -ca requires client certificates")
	fs.StringVar(&t.cert, "cert", "", "own certificate (PEM)")
	fs.StringVar(&t.key, "key", "", "own private key (PEM)")
	fs.StringVar(&t.serverName, "sni", "localhost", "client: SNI and the name to verify")
	fs.BoolVar(&t.verify, "verify", true, "client: verify the server's certificate against -ca")
	return t
}

func (t *tlsFlags) pool() (*x509.CertPool, error) {
	pem, err := os.ReadFile(t.ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", t.ca)
	}
	return pool, nil
}

// client builds a TLS 1.3 client config that offers X25519 (P-256 only for servers that insist, such as
// socat), so no peer is favoured by a hybrid post-quantum group one of them supports, and no session
// cache, so every handshake is a full one.
func (t *tlsFlags) client(alpn ...string) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS13,
		CurvePreferences:   []tls.CurveID{tls.X25519, tls.CurveP256},
		ServerName:         t.serverName,
		NextProtos:         alpn,
		InsecureSkipVerify: !t.verify,
	}
	if t.verify {
		if t.ca == "" {
			return nil, errors.New("-ca is required unless -verify=false")
		}
		pool, err := t.pool()
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if t.cert != "" {
		pair, err := tls.LoadX509KeyPair(t.cert, t.key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// server builds a TLS server config; with -ca it requires and verifies client certificates.
func (t *tlsFlags) server(alpn ...string) (*tls.Config, error) {
	pair, err := tls.LoadX509KeyPair(t.cert, t.key)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{pair},
		NextProtos:   alpn,
	}
	if t.ca != "" {
		pool, err := t.pool()
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// dialTLS connects and completes a full handshake, both within timeout; the connection keeps no deadline.
func dialTLS(addr string, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: timeout, Deadline: time.Now().Add(timeout)}, "tcp", addr, cfg)
}

func (t *tlsFlags) enabled() bool { return t.cert != "" || t.ca != "" }
