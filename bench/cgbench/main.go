// cgbench is the load generator, test backends and report writer of Crossgate's benchmark
// (bench/run.sh). Each subcommand measures one thing and appends its figures to a JSON-lines record
// file, so the shell script only orchestrates and the report is computed from the records alone.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

var commands = map[string]func(args []string) error{
	"handshakes":   runHandshakes,
	"grpc-server":  runGrpcServer,
	"grpc-stream":  runGrpcStream,
	"bulk-server":  runBulkServer,
	"bulk":         runBulk,
	"at-rest":      runAtRest,
	"issue":        runIssue,
	"rotate":       runRotate,
	"parse-wrk":    runParseWrk,
	"parse-h2load": runParseH2load,
	"report":       runReport,
	"cpu":          runCPU,
	"figure":       runFigure,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		names := make([]string, 0, len(commands))
		for name := range commands {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: cgbench <command> [flags]; commands: %v\n", names)
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "cgbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// onStop runs stop when the process is asked to end, so servers close their listeners and exit cleanly.
func onStop(stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		stop()
	}()
}
