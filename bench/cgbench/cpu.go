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
//
// Beside it, what the load core spent (client, backend and the kernel's work for both) and how often the proxy's
// threads went to sleep waiting for work: a write to a sleeping proxy wakes it, and on a virtual machine the writer,
// on the load core, pays for that wake-up. A proxy that keeps its core less busy can be woken more often and cost the
// load core more per request, so when the load core is the limit its requests/s can trail a peer that spends more.
type proxyCPU struct {
	pid      *int
	loadCore *int
	since    *string // nil for a run cgbench makes itself
	begin    reading
}

// reading is one look at the counters a run is measured by.
type reading struct {
	proxySeconds float64 // user + system, the proxy's process tree
	wall         time.Time
	loadSeconds  float64 // busy time of the load core, all processes and the kernel's interrupt work
	proxySleeps  int64   // voluntary context switches of the proxy's threads
}

func (r reading) String() string {
	return fmt.Sprintf("%.2f %.6f %.2f %d", r.proxySeconds, float64(r.wall.UnixNano())/1e9, r.loadSeconds, r.proxySleeps)
}

func parseReading(text string) (reading, error) {
	var r reading
	var unixSeconds float64
	if _, err := fmt.Sscanf(text, "%f %f %f %d", &r.proxySeconds, &unixSeconds, &r.loadSeconds, &r.proxySleeps); err != nil {
		return r, fmt.Errorf("--since %q: %w", text, err)
	}
	r.wall = time.Unix(0, int64(unixSeconds*1e9))
	return r, nil
}

// read takes the counters now: those of the proxy with pid > 0, that of the load core with loadCore >= 0.
func read(pid, loadCore int) (reading, error) {
	r := reading{wall: time.Now()}
	var err error
	if pid > 0 {
		tree := processTree(pid)
		if r.proxySeconds, err = cpuSeconds(tree); err != nil {
			return r, err
		}
		r.proxySleeps = voluntarySwitches(tree)
	}
	if loadCore >= 0 {
		r.loadSeconds, err = coreBusySeconds(loadCore)
	}
	return r, err
}

// newProxyCPU registers --proxy-pid and --load-core, and --since for a run made by another tool (wrk, h2load) that
// cgbench parses.
func newProxyCPU(fs *flag.FlagSet, byAnotherTool bool) *proxyCPU {
	c := &proxyCPU{
		pid:      fs.Int("proxy-pid", 0, "the proxy's process, whose processor time (and its children's) is read around the run"),
		loadCore: fs.Int("load-core", -1, "the core the load generator and the backend are pinned to, whose busy time is read around the run"),
	}
	if byAnotherTool {
		c.since = fs.String("since", "", "what `cgbench cpu` printed as the run began, with the same --pid and --load-core")
	}
	return c
}

// measures says whether the run is measured at all: with --proxy-pid, --load-core or both.
func (c *proxyCPU) measures() bool {
	return *c.pid != 0 || *c.loadCore >= 0
}

// start takes the counters as the run begins; a run by another tool has them from --since.
func (c *proxyCPU) start() error {
	if !c.measures() {
		return nil
	}
	var err error
	if c.since != nil {
		if *c.since == "" {
			return fmt.Errorf("--proxy-pid and --load-core need --since: the run is over when its output is parsed")
		}
		c.begin, err = parseReading(*c.since)
		return err
	}
	c.begin, err = read(*c.pid, *c.loadCore)
	return err
}

// write writes the run's figures and, with --proxy-pid, the proxy's processor time and sleeps per unit of work
// (request, handshake) and how busy its core was; with --load-core, the load core's processor time per unit.
func (c *proxyCPU) write(target *recordTarget, unitName string, count float64, figures ...figure) error {
	if c.measures() && count > 0 {
		end, err := read(*c.pid, *c.loadCore)
		if err != nil {
			return err
		}
		if *c.pid != 0 {
			seconds := end.proxySeconds - c.begin.proxySeconds
			figures = append(figures,
				figure{"proxy_cpu_per_" + unitName, "µs", false, seconds / count * 1e6},
				figure{"proxy_core_busy", "%", false, seconds / end.wall.Sub(c.begin.wall).Seconds() * 100},
				figure{"proxy_sleeps", "/" + unitName, false, float64(end.proxySleeps-c.begin.proxySleeps) / count})
		}
		if *c.loadCore >= 0 {
			figures = append(figures, figure{"load_cpu_per_" + unitName, "µs", false, (end.loadSeconds - c.begin.loadSeconds) / count * 1e6})
		}
	}
	return target.write(figures...)
}

// runCPU prints the counters a run is measured by, for --since: `cgbench cpu --pid P --load-core N`; with --jit, the
// processor seconds of a JVM's JIT compiler threads only.
func runCPU(args []string) error {
	fs := flag.NewFlagSet("cpu", flag.ExitOnError)
	pid := fs.Int("pid", 0, "the process")
	loadCore := fs.Int("load-core", -1, "the load core, whose busy time is read too")
	jit := fs.Bool("jit", false, "only the JVM's JIT compiler threads: while their time grows, it is still compiling")
	fs.Parse(args)
	if *jit {
		seconds, err := jitCPUSeconds(*pid)
		if err != nil {
			return err
		}
		fmt.Printf("%.2f\n", seconds)
		return nil
	}
	r, err := read(*pid, *loadCore)
	if err != nil {
		return err
	}
	fmt.Println(r)
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
