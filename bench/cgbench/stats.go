package main

import (
	"math"
	"sort"
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
