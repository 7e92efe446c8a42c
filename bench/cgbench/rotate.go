package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// issuer signs fresh server certificates and publishes them the way the kubelet updates a Secret
// volume: a new timestamped directory, then an atomic rename of the ..data symlink.
type issuer struct {
	caCert *x509.Certificate
	caKey  any
	dir    string
}

func newIssuer(caCertPath, caKeyPath, dir string) (*issuer, error) {
	certPEM, err := os.ReadFile(caCertPath)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, fmt.Errorf("%s: not PEM", caCertPath)
	}
	caCert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(caKeyPath)
	if err != nil {
		return nil, err
	}
	if block, _ = pem.Decode(keyPEM); block == nil {
		return nil, fmt.Errorf("%s: not PEM", caKeyPath)
	}
	caKey, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		if caKey, err = x509.ParseECPrivateKey(block.Bytes); err != nil {
			if caKey, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
				return nil, fmt.Errorf("%s: not a PKCS#8, SEC1 or PKCS#1 key", caKeyPath)
			}
		}
	}
	return &issuer{caCert, caKey, dir}, nil
}

func (is *issuer) publish() (*big.Int, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		NotBefore:    now.Add(-time.Minute),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, is.caCert, &key.PublicKey, is.caKey)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	version := filepath.Join(is.dir, fmt.Sprintf("..%d", now.UnixNano()))
	if err := os.MkdirAll(version, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(version, "tls.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(version, "tls.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(is.dir, "..data")
	previous, _ := os.Readlink(data)
	staged := filepath.Join(is.dir, "..data_tmp")
	os.Remove(staged)
	if err := os.Symlink(filepath.Base(version), staged); err != nil {
		return nil, err
	}
	if err := os.Rename(staged, data); err != nil {
		return nil, err
	}
	for _, name := range []string{"tls.crt", "tls.key"} {
		link := filepath.Join(is.dir, name)
		if _, err := os.Lstat(link); errors.Is(err, os.ErrNotExist) {
			if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
				return nil, err
			}
		}
	}
	if previous != "" {
		os.RemoveAll(filepath.Join(is.dir, previous))
	}
	return serial, nil
}

func runIssue(args []string) error {
	fs := flag.NewFlagSet("issue", flag.ExitOnError)
	caCert := fs.String("ca-cert", "", "CA certificate (PEM)")
	caKey := fs.String("ca-key", "", "CA private key (PEM)")
	dir := fs.String("dir", "", "directory to publish tls.crt and tls.key in, Secret-volume style")
	fs.Parse(args)
	is, err := newIssuer(*caCert, *caKey, *dir)
	if err != nil {
		return err
	}
	serial, err := is.publish()
	if err == nil {
		fmt.Printf("published serial %x in %s\n", serial, *dir)
	}
	return err
}

// runRotate runs keep-alive HTTPS load while the server certificate is replaced every interval, and
// measures failed requests, the throughput dip, and how long each new certificate takes to be served.
func runRotate(args []string) error {
	fs, target, tlsf := measuringCommand("rotate")
	addr := fs.String("addr", "", "host:port of the proxy")
	path := fs.String("path", "/100b", "request path")
	caCert := fs.String("ca-cert", "", "CA certificate that signs the rotated certificates")
	caKey := fs.String("ca-key", "", "its private key")
	dir := fs.String("dir", "", "the proxy's certificate directory (Secret-volume layout, see issue)")
	concurrency := fs.Int("c", 16, "concurrent keep-alive connections")
	warmUp := fs.Duration("warm-up", 10*time.Second, "load before measuring starts")
	baseline := fs.Duration("baseline", 5*time.Second, "measured load before the first rotation")
	duration := fs.Duration("d", 60*time.Second, "time during which certificates rotate")
	every := fs.Duration("every", time.Second, "rotation interval")
	fs.Parse(args)

	is, err := newIssuer(*caCert, *caKey, *dir)
	if err != nil {
		return err
	}
	cfg, err := tlsf.client("http/1.1")
	if err != nil {
		return err
	}
	transport := &http.Transport{TLSClientConfig: cfg, MaxIdleConnsPerHost: *concurrency, ForceAttemptHTTP2: false}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	url := "https://" + *addr + *path

	loadStart := time.Now()
	start := loadStart.Add(*warmUp) // seconds are counted from here
	end := start.Add(*baseline + *duration)
	seconds := int((*baseline+*duration)/time.Second) + 2
	perSecond := make([]atomic.Int64, seconds)
	var failed failures
	var wg sync.WaitGroup
	for i := 0; i < *concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				resp, err := client.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					failed.add(err)
					continue
				}
				if since := time.Since(start); since >= 0 && int(since/time.Second) < seconds {
					perSecond[since/time.Second].Add(1)
				}
			}
		}()
	}

	time.Sleep(time.Until(start.Add(*baseline)))
	var latencies []float64
	missed := 0
	for rotationStart := time.Now(); time.Since(rotationStart) < *duration; {
		tick := time.Now()
		serial, err := is.publish()
		if err != nil {
			return err
		}
		if latency, ok := untilServed(*addr, cfg, serial, 5*time.Second); ok {
			latencies = append(latencies, float64(latency.Microseconds())/1000)
		} else {
			missed++
		}
		time.Sleep(time.Until(tick.Add(*every)))
	}
	wg.Wait()
	failed.report("rotate", "requests")

	baselineSeconds := int(*baseline / time.Second)
	var before, during []float64
	for s := 1; s < seconds-2; s++ { // the first second warms up, the last ones are partial
		if s < baselineSeconds {
			before = append(before, float64(perSecond[s].Load()))
		} else {
			during = append(during, float64(perSecond[s].Load()))
		}
	}
	baselineRate, duringRate := median(before), median(during)
	fmt.Printf("rotate: requests per second before %v, during %v\n", before, during)
	return target.write(
		figure{"failed_requests", "count", false, float64(failed.count.Load())},
		figure{"rotations", "count", true, float64(len(latencies) + missed)},
		figure{"not_served_within_5s", "count", false, float64(missed)},
		figure{"rps_before", "req/s", true, baselineRate},
		figure{"rps_during", "req/s", true, duringRate},
		figure{"rps_during_p10_second", "req/s", true, percentile(append([]float64(nil), during...), 0.10)},
		// every second of the rotation period holds a rotation: its slowest second against its median one
		figure{"worst_second_dip", "%", false, 100 * (1 - minimum(during)/duringRate)},
		figure{"new_cert_served_p50", "ms", false, percentile(latencies, 0.50)},
		figure{"new_cert_served_p99", "ms", false, percentile(latencies, 0.99)},
	)
}

// untilServed makes new full handshakes until the proxy presents the certificate with this serial.
func untilServed(addr string, cfg *tls.Config, serial *big.Int, limit time.Duration) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < limit {
		conn, err := dialTLS(addr, cfg, time.Second) // cfg has no session cache: every probe is a full handshake
		if err == nil {
			served := conn.ConnectionState().PeerCertificates[0].SerialNumber
			conn.Close()
			if served.Cmp(serial) == 0 {
				return time.Since(start), true
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, false
}
