package main

import (
	"flag"
	"fmt"
	"time"
)

// proxyCPU is the processor time the proxy under test spent during a run. The load core is the limit of the keep-alive
// runs on 2 cores (the client straight to the backend is barely faster than through any proxy), so requests/s alone
// cannot tell the proxies apart: what each spends per request on its own core can. It is read at the start of the run
// (or, for a run by another tool, taken from `cgbench cpu` before it: --since) and again at the end.
type proxyCPU struct {
	pid       *int
	since     *string // nil for a run cgbench makes itself
	startCPU  float64
	startWall time.Time
}

// newProxyCPU registers --proxy-pid, and --since for a run made by another tool (wrk, h2load) that cgbench parses.
func newProxyCPU(fs *flag.FlagSet, byAnotherTool bool) *proxyCPU {
	c := &proxyCPU{pid: fs.Int("proxy-pid", 0, "the proxy's process, whose processor time (and its children's) is read around the run")}
	if byAnotherTool {
		c.since = fs.String("since", "", "what `cgbench cpu --pid` printed as the run began")
	}
	return c
}

// start takes the proxy's processor time as the run begins; a run by another tool has it from --since.
func (c *proxyCPU) start() error {
	if *c.pid == 0 {
		return nil
	}
	if c.since != nil {
		if *c.since == "" {
			return fmt.Errorf("--proxy-pid needs --since: the run is over when its output is parsed")
		}
		var unixSeconds float64
		if _, err := fmt.Sscanf(*c.since, "%f %f", &c.startCPU, &unixSeconds); err != nil {
			return fmt.Errorf("--since %q: %w", *c.since, err)
		}
		c.startWall = time.Unix(0, int64(unixSeconds*1e9))
		return nil
	}
	seconds, err := treeCPUSeconds(*c.pid)
	c.startCPU, c.startWall = seconds, time.Now()
	return err
}

// write writes the run's figures and, with --proxy-pid, the proxy's processor time per unit of work (request,
// handshake) and how busy its core was.
func (c *proxyCPU) write(target *recordTarget, unitName string, count float64, figures ...figure) error {
	if *c.pid != 0 && count > 0 {
		end, err := treeCPUSeconds(*c.pid)
		if err != nil {
			return err
		}
		seconds := end - c.startCPU
		figures = append(figures,
			figure{"proxy_cpu_per_" + unitName, "µs", false, seconds / count * 1e6},
			figure{"proxy_core_busy", "%", false, seconds / time.Since(c.startWall).Seconds() * 100})
	}
	return target.write(figures...)
}

// runCPU prints the processor seconds a process and its children have used and the time of reading (Unix seconds),
// for --since: `cgbench cpu --pid P`; with --jit, those of a JVM's JIT compiler threads only.
func runCPU(args []string) error {
	fs := flag.NewFlagSet("cpu", flag.ExitOnError)
	pid := fs.Int("pid", 0, "the process")
	jit := fs.Bool("jit", false, "only the JVM's JIT compiler threads: while their time grows, it is still compiling")
	fs.Parse(args)
	read := treeCPUSeconds
	if *jit {
		read = jitCPUSeconds
	}
	seconds, err := read(*pid)
	if err != nil {
		return err
	}
	fmt.Printf("%.2f %.6f\n", seconds, float64(time.Now().UnixNano())/1e9)
	return nil
}

// runFigure records one figure the script measured itself (how long a JVM took to warm up, say).
func runFigure(args []string) error {
	fs := flag.NewFlagSet("figure", flag.ExitOnError)
	target := newRecordTarget(fs)
	metric := fs.String("metric", "", "the figure's name")
	unit := fs.String("unit", "", "its unit")
	higher := fs.Bool("higher-is-better", false, "whether more is better")
	value := fs.Float64("value", 0, "the value")
	fs.Parse(args)
	if *metric == "" || *unit == "" {
		return fmt.Errorf("--metric and --unit are required")
	}
	return target.write(figure{*metric, *unit, *higher, *value})
}
