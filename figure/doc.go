// Package figure draws eisweep's figures from an output folder: the seed notebook's plots (the
// voltage, currents and net current of a run; the units' f-I curves, the voltage and ISI sequence
// at a high current) and the sweep's answers (mean-rate heatmaps over pairs of axes with the
// set-point contour, rate against the inhibitory weight with 95% bands per excitation level, the
// fitted balance lines beside the threshold–gain prediction, predicted against empirical charge).
//
// A figure is first data ([Figure]: labelled series of points, bands, error bars, a heatmap),
// built by [Build]; [Render] draws it with gonum.org/v1/plot as PNG or SVG. Tests compare the
// data, not pixels.
package figure
