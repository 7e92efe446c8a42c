package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

// Record is one figure of one run of one case against one proxy.
type Record struct {
	Scenario string  `json:"scenario"`
	Case     string  `json:"case"`
	Proxy    string  `json:"proxy"`
	Round    int     `json:"round"`
	Metric   string  `json:"metric"`
	Unit     string  `json:"unit"`
	Higher   bool    `json:"higher_is_better"`
	Value    float64 `json:"value"`
}

// recordTarget is the part of every measuring command that says where its figures belong.
type recordTarget struct {
	file     string
	scenario string
	caseName string
	proxy    string
	round    int
}

func newRecordTarget(fs *flag.FlagSet) *recordTarget {
	t := &recordTarget{}
	fs.StringVar(&t.file, "records", "", "JSON-lines file the figures are appended to (stdout when empty)")
	fs.StringVar(&t.scenario, "scenario", "", "scenario id")
	fs.StringVar(&t.caseName, "case", "", "case within the scenario")
	fs.StringVar(&t.proxy, "proxy", "", "proxy under test")
	fs.IntVar(&t.round, "round", 0, "round number")
	return t
}

// tlsCommand is the flag set of a command that speaks TLS.
func tlsCommand(name string) (*flag.FlagSet, *tlsFlags) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	return fs, newTLSFlags(fs)
}

// measuringCommand is the flag set of a command that speaks TLS and records figures.
func measuringCommand(name string) (*flag.FlagSet, *recordTarget, *tlsFlags) {
	fs, tlsf := tlsCommand(name)
	return fs, newRecordTarget(fs), tlsf
}

type figure struct {
	metric string
	unit   string
	higher bool
	value  float64
}

func (t *recordTarget) write(figures ...figure) error {
	out := os.Stdout
	if t.file != "" {
		f, err := os.OpenFile(t.file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	w := bufio.NewWriter(out)
	for _, fig := range figures {
		line, err := json.Marshal(Record{t.scenario, t.caseName, t.proxy, t.round, fig.metric, fig.unit, fig.higher, fig.value})
		if err != nil {
			return err
		}
		w.Write(line)
		w.WriteByte('\n')
		fmt.Fprintf(os.Stderr, "  %s %s %s round %d: %s = %.4g %s\n", t.scenario, t.caseName, t.proxy, t.round, fig.metric, fig.value, fig.unit)
	}
	return w.Flush()
}

func readRecords(path string) ([]Record, error) {
	var records []Record
	err := eachLine(path, func(line []byte) error {
		var r Record
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		records = append(records, r)
		return nil
	})
	return records, err
}

// eachLine hands every line of a file to take, stopping at its first error.
func eachLine(path string, take func(line []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if err := take(scanner.Bytes()); err != nil {
			return err
		}
	}
	return scanner.Err()
}
