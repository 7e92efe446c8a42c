package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// runParseWrk turns the output of `wrk --latency` into records: requests/s, p50, p99, errors.
func runParseWrk(args []string) error {
	fs := flag.NewFlagSet("parse-wrk", flag.ExitOnError)
	target := newRecordTarget(fs)
	in := fs.String("in", "", "wrk's output")
	cpu := newProxyCPU(fs, true)
	fs.Parse(args)
	if err := cpu.start(); err != nil {
		return err
	}
	text, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	out := string(text)
	rps, err := floatAfter(out, `Requests/sec:\s+([0-9.]+)`)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	p50, err := wrkLatency(out, "50%")
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	p99, err := wrkLatency(out, "99%")
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	errors := 0.0
	if m := regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`).FindStringSubmatch(out); m != nil {
		for _, n := range m[1:] {
			v, _ := strconv.Atoi(n)
			errors += float64(v)
		}
	}
	if non2xx, err := floatAfter(out, `Non-2xx or 3xx responses:\s+(\d+)`); err == nil {
		errors += non2xx
	}
	requests, err := floatAfter(out, `(\d+) requests in`)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	return cpu.write(target, "request", requests,
		figure{"rps", "req/s", true, rps},
		figure{"p50", "ms", false, p50},
		figure{"p99", "ms", false, p99},
		figure{"errors", "count", false, errors},
	)
}

func wrkLatency(out, label string) (float64, error) {
	m := regexp.MustCompile(regexp.QuoteMeta(label) + `\s+([0-9.]+)(us|ms|s)\b`).FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no %s latency (was wrk run with --latency?)", label)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	switch m[2] {
	case "us":
		v /= 1000
	case "s":
		v *= 1000
	}
	return v, nil
}

// runParseH2load turns h2load's summary and its --log-file (one line per request: start, status,
// microseconds) into records: requests/s, p50, p99, errors.
func runParseH2load(args []string) error {
	fs := flag.NewFlagSet("parse-h2load", flag.ExitOnError)
	target := newRecordTarget(fs)
	in := fs.String("in", "", "h2load's output")
	log := fs.String("log", "", "h2load's --log-file")
	cpu := newProxyCPU(fs, true)
	fs.Parse(args)
	if err := cpu.start(); err != nil {
		return err
	}
	text, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	out := string(text)
	rps, err := floatAfter(out, `finished in [0-9.]+m?s, ([0-9.]+) req/s`)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	m := regexp.MustCompile(`requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout`).FindStringSubmatch(out)
	if m == nil {
		return fmt.Errorf("%s: no request summary", *in)
	}
	succeeded, _ := strconv.ParseFloat(m[1], 64)
	errors := 0.0
	for _, n := range m[2:] {
		v, _ := strconv.Atoi(n)
		errors += float64(v)
	}
	if m := regexp.MustCompile(`status codes: \d+ 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx`).FindStringSubmatch(out); m != nil {
		for _, n := range m[1:] {
			v, _ := strconv.Atoi(n)
			errors += float64(v)
		}
	}
	durations, err := logDurations(*log)
	if err != nil {
		return err
	}
	return cpu.write(target, "request", succeeded,
		figure{"rps", "req/s", true, rps},
		figure{"p50", "ms", false, percentile(durations, 0.50)},
		figure{"p99", "ms", false, percentile(durations, 0.99)},
		figure{"errors", "count", false, errors},
	)
}

func logDurations(path string) ([]float64, error) {
	var durations []float64
	err := eachLine(path, func(line []byte) error {
		if fields := strings.Fields(string(line)); len(fields) >= 3 {
			if us, err := strconv.ParseFloat(fields[2], 64); err == nil {
				durations = append(durations, us/1000)
			}
		}
		return nil
	})
	if err == nil && len(durations) == 0 {
		err = fmt.Errorf("%s: no requests logged", path)
	}
	return durations, err
}

func floatAfter(text, pattern string) (float64, error) {
	m := regexp.MustCompile(pattern).FindStringSubmatch(text)
	if m == nil {
		return 0, fmt.Errorf("no match for %q", pattern)
	}
	return strconv.ParseFloat(m[1], 64)
}
