package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// processTree is a process and its descendants (nginx's workers, say), the root first.
func processTree(root int) []int {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, stat := range stats {
		fields, err := statFields(stat)
		if err != nil {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(stat)))
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], pid)
	}
	var tree []int
	for queue := []int{root}; len(queue) > 0; queue = queue[1:] {
		tree = append(tree, queue[0])
		queue = append(queue, children[queue[0]]...)
	}
	return tree
}

// statFields are the fields of /proc/PID/stat after the command name, which may hold spaces: the state first.
func statFields(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:])), nil
}

// treeRSS sums the resident memory of a process and its descendants, in bytes.
func treeRSS(root int) (int64, error) {
	var total int64
	for _, pid := range processTree(root) {
		rss, err := processRSS(pid)
		if err != nil {
			return 0, err
		}
		total += rss
	}
	return total, nil
}

func processRSS(pid int) (int64, error) {
	kb, err := statusField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS")
	return kb * 1024, err
}

// statusField is the number a /proc/.../status file gives for a field ("VmRSS:   1234 kB" gives 1234).
func statusField(path, name string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if value, found := strings.CutPrefix(scanner.Text(), name+":"); found {
			return strconv.ParseInt(strings.Fields(value)[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in %s", name, path)
}

// clockTicksPerSecond is the unit of the times in /proc/PID/stat (USER_HZ, 100 on every Linux the benchmark runs on).
const clockTicksPerSecond = 100

// jitCPUSeconds is the processor time a JVM's JIT compiler threads (HotSpot names them "C1 CompilerThreadN" and
// "C2 CompilerThreadN", cut to 15 characters) have used: while it grows, the JVM is still compiling its hot paths.
func jitCPUSeconds(pid int) (float64, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/[0-9]*", pid))
	if err != nil || len(tasks) == 0 {
		return 0, fmt.Errorf("no threads of pid %d", pid)
	}
	var ticks int64
	for _, task := range tasks {
		comm, err := os.ReadFile(task + "/comm")
		if err != nil || !strings.HasPrefix(string(comm), "C1 CompilerThre") && !strings.HasPrefix(string(comm), "C2 CompilerThre") {
			continue // a thread that ended meanwhile, or not a compiler
		}
		if used, err := cpuTicks(task + "/stat"); err == nil {
			ticks += used
		}
	}
	return float64(ticks) / clockTicksPerSecond, nil
}

// cpuSeconds is the processor time (user + system, all threads) the processes of a tree have used.
func cpuSeconds(tree []int) (float64, error) {
	var ticks int64
	for _, pid := range tree {
		used, err := cpuTicks(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, err
		}
		ticks += used
	}
	return float64(ticks) / clockTicksPerSecond, nil
}

// cpuTicks is user + system time in clock ticks from a /proc/.../stat file, of a process or of one of its threads.
func cpuTicks(stat string) (int64, error) {
	fields, err := statFields(stat)
	if err != nil {
		return 0, err
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64) // field 14 of stat, 12th after the name
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime, nil
}

// voluntarySwitches counts the times the threads of a tree's processes blocked waiting (for epoll, say):
// voluntary_ctxt_switches of each thread, as a process's own line counts only its first thread.
func voluntarySwitches(tree []int) int64 {
	var switches int64
	for _, pid := range tree {
		statuses, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/[0-9]*/status", pid))
		for _, status := range statuses {
			if n, err := statusField(status, "voluntary_ctxt_switches"); err == nil {
				switches += n // else a thread that ended meanwhile
			}
		}
	}
	return switches
}

// coreBusySeconds is the time one core has spent on anything but idling and waiting for I/O, from /proc/stat: user,
// nice, system, irq and softirq (the kernel's network work for loopback traffic runs there, on the sending core).
func coreBusySeconds(core int) (float64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	prefix := fmt.Sprintf("cpu%d ", core)
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		fields := strings.Fields(line)[1:]
		var ticks int64
		for _, i := range []int{0, 1, 2, 5, 6} { // user nice system (idle iowait) irq softirq
			n, _ := strconv.ParseInt(fields[i], 10, 64)
			ticks += n
		}
		return float64(ticks) / clockTicksPerSecond, nil
	}
	return 0, fmt.Errorf("no core %d in /proc/stat", core)
}
