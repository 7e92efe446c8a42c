package main

import (
	"flag"
	"fmt"
	"time"
)

// proxyCPU is the processor time the proxy under test spent during a run. The load core is the limit of the keep-alive
// runs on 2 cores (the client straight to the backend is barely faster than through any proxy), so requests/s alone
// cannot tell the proxies apart: what each spends per request on its own core can. A command that runs the load itself
// takes the proxy's pid and reads its processor time around the run; a command that reads another tool's output is
// given the time, read before and after that tool by `cgbench cpu`.
type proxyCPU struct {
	pid       *int
	seconds   *float64
	wall      *float64
	startCPU  float64
	startWall time.Time
}

func newProxyCPU(fs *flag.FlagSet) *proxyCPU {
	return &proxyCPU{
		pid:     fs.Int("proxy-pid", 0, "the proxy's process, whose processor time (and its children's) is read around the run"),
		seconds: fs.Float64("proxy-cpu-seconds", -1, "processor seconds the proxy used during the run, when it was read outside"),
		wall:    fs.Float64("wall-seconds", 0, "how long that run took"),
	}
}

// start reads the proxy's processor time as the run begins (with --proxy-pid).
func (c *proxyCPU) start() error {
	if *c.pid == 0 {
		return nil
	}
	seconds, err := treeCPUSeconds(*c.pid)
	c.startCPU, c.startWall = seconds, time.Now()
	return err
}

// figures are the processor time per unit of work (request, handshake) and how busy the proxy's core was.
func (c *proxyCPU) figures(unitName string, count float64) ([]figure, error) {
	if *c.pid != 0 {
		end, err := treeCPUSeconds(*c.pid)
		if err != nil {
			return nil, err
		}
		*c.seconds, *c.wall = end-c.startCPU, time.Since(c.startWall).Seconds()
	}
	if *c.seconds < 0 || count <= 0 || *c.wall <= 0 {
		return nil, nil
	}
	return []figure{
		{"proxy_cpu_per_" + unitName, "µs", false, *c.seconds / count * 1e6},
		{"proxy_core_busy", "%", false, *c.seconds / *c.wall * 100},
	}, nil
}

// runCPU prints the processor seconds a process and its children have used and the time of reading, for a
// harness that runs the load with another tool: `cgbench cpu --pid P`.
func runCPU(args []string) error {
	fs := flag.NewFlagSet("cpu", flag.ExitOnError)
	pid := fs.Int("pid", 0, "the process")
	fs.Parse(args)
	seconds, err := treeCPUSeconds(*pid)
	if err != nil {
		return err
	}
	fmt.Printf("%.2f %.6f\n", seconds, float64(time.Now().UnixNano())/1e9)
	return nil
}
