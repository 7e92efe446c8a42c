package main

import (
	"fmt"
	"math"
	"sort"
	"sync/atomic"
)

// percentile is the nearest-rank percentile (p in 0..1) of values, which it sorts.
func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sort.Float64s(values)
	rank := int(math.Ceil(p*float64(len(values)))) - 1
	return values[max(0, min(rank, len(values)-1))]
}

func median(values []float64) float64 {
	if len(values) == 0 {
		return 0
	}
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func minimum(values []float64) float64 { return extreme(values, math.Min) }

func maximum(values []float64) float64 { return extreme(values, math.Max) }

// extreme folds values with pick (math.Min or math.Max); 0 when there are none.
func extreme(values []float64, pick func(a, b float64) float64) float64 {
	if len(values) == 0 {
		return 0
	}
	m := values[0]
	for _, v := range values {
		m = pick(m, v)
	}
	return m
}

// failures counts errors from many goroutines and keeps the first, which is what explains the rest.
type failures struct {
	count atomic.Int64
	first atomic.Value
}

func (f *failures) add(err error) {
	f.count.Add(1)
	f.first.CompareAndSwap(nil, err.Error())
}

// report prints the count and the first error, if any, for the raw output beside the figures.
func (f *failures) report(command, what string) {
	if first := f.first.Load(); first != nil {
		fmt.Printf("%s: %d %s failed, first: %s\n", command, f.count.Load(), what, first)
	}
}
