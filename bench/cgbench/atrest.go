package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// runAtRest starts a proxy itself, so the clock starts at exec: time to the first successful proxied
// request, resident memory at rest, then with many idle TLS connections held open.
func runAtRest(args []string) error {
	fs, target, tlsf := measuringCommand("at-rest")
	addr := fs.String("addr", "", "host:port of the proxy once started")
	path := fs.String("path", "/100b", "request path")
	idleConnections := fs.Int("idle-connections", 0, "TLS connections to open and hold after the first request")
	settle := fs.Duration("settle", 3*time.Second, "quiet time before each memory reading")
	timeout := fs.Duration("timeout", 60*time.Second, "longest wait for the first request")
	logFile := fs.String("log", "", "file for the proxy's output")
	fs.Parse(args)
	command := fs.Args()
	if len(command) == 0 {
		return errors.New("the proxy's command line goes after the flags")
	}
	cfg, err := tlsf.client("http/1.1")
	if err != nil {
		return err
	}
	request := closingRequest(*path, tlsf.serverName)

	cmd := exec.Command(command[0], command[1:]...)
	if *logFile != "" {
		out, err := os.Create(*logFile)
		if err != nil {
			return err
		}
		defer out.Close()
		cmd.Stdout, cmd.Stderr = out, out
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer stopProcess(cmd)

	var lastError error
	for lastError = errors.New("not tried"); time.Since(start) < *timeout; time.Sleep(2 * time.Millisecond) {
		if lastError = oneHandshakeRequest(*addr, cfg, request); lastError == nil {
			break
		}
	}
	if lastError != nil {
		return fmt.Errorf("no successful request through %s within %s: %w", *addr, *timeout, lastError)
	}
	firstRequest := time.Since(start)
	time.Sleep(*settle)
	idle, err := treeRSS(cmd.Process.Pid)
	if err != nil {
		return err
	}
	figures := []figure{
		{"first_request", "ms", false, float64(firstRequest.Microseconds()) / 1000},
		{"rss_idle", "MB", false, float64(idle) / 1e6},
	}
	if *idleConnections > 0 {
		// held in two halves: beside the average over all of them, what each of the second half added, which leaves out
		// what the first ones cost once (a heap and buffer caches grown to the load, compiled code, malloc arenas)
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		var rss [2]int64
		halves := [2]int{*idleConnections / 2, *idleConnections - *idleConnections/2}
		for half, n := range halves {
			opened, err := holdConnections(*addr, cfg, n)
			held = append(held, opened...)
			if err != nil {
				return err
			}
			time.Sleep(*settle)
			if rss[half], err = treeRSS(cmd.Process.Pid); err != nil {
				return err
			}
		}
		figures = append(figures,
			figure{"rss_with_idle_tls", "MB", false, float64(rss[1]) / 1e6},
			figure{"rss_per_idle_tls", "KiB", false, float64(rss[1]-idle) / 1024 / float64(len(held))},
			figure{"rss_per_added_idle_tls", "KiB", false, float64(rss[1]-rss[0]) / 1024 / float64(halves[1])},
		)
	}
	return target.write(figures...)
}

func holdConnections(addr string, cfg *tls.Config, n int) ([]net.Conn, error) {
	held := make([]net.Conn, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				conn, err := dialTLS(addr, cfg, 10*time.Second)
				if err != nil {
					errs <- err
					continue
				}
				held[i] = conn
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	opened := held[:0]
	for _, c := range held {
		if c != nil {
			opened = append(opened, c)
		}
	}
	if err, failed := <-errs, len(held)-len(opened); failed > 0 {
		return opened, fmt.Errorf("%d of %d idle connections failed, first: %v", failed, n, err)
	}
	return opened, nil
}

func stopProcess(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(25 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
