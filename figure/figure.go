package figure

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Kind is how a series is drawn.
type Kind string

const (
	Line      Kind = "line"      // a line through (X, Y), broken where Y is NaN
	Points    Kind = "points"    // markers at (X, Y)
	Dots      Kind = "dots"      // small dots at (X, Y), for many points (a spike raster)
	Band      Kind = "band"      // a shaded band from Lo to Hi along X
	ErrorBars Kind = "errorbars" // markers at (X, Y) with vertical bars from Lo to Hi
	// XErrorBars are markers at (X, Y) with horizontal bars from Lo to Hi (an estimate and its
	// interval, per category of a figure with YCategories).
	XErrorBars Kind = "xerrorbars"
	Ticks      Kind = "ticks" // vertical ticks at X from Lo[i] to Hi[i] (spike marks)
	HLine      Kind = "hline" // a horizontal line at Y[0]
	VLine      Kind = "vline" // a vertical line at X[0]
)

// Series is one labelled set of data in a figure. Color indexes the figure palette; series with
// the same Color belong together (a line and its band).
type Series struct {
	Label  string    `json:"label"`
	Kind   Kind      `json:"kind"`
	X      []float64 `json:"x"`
	Y      []float64 `json:"y,omitempty"`
	Lo     []float64 `json:"lo,omitempty"`
	Hi     []float64 `json:"hi,omitempty"`
	Color  int       `json:"color"`
	Dashed bool      `json:"dashed,omitempty"`
}

// Heat is a heatmap: Z[i][j] at (X[j], Y[i]), with a contour where C (same shape; Z if nil)
// equals Level.
type Heat struct {
	X      []float64   `json:"x"`
	Y      []float64   `json:"y"`
	Z      [][]float64 `json:"z"`
	ZLabel string      `json:"z_label"`
	C      [][]float64 `json:"c,omitempty"`
	Level  float64     `json:"level"`
	CLabel string      `json:"c_label"`
	// ZMax, when positive, caps the colour scale: values above it are drawn in its colour (the
	// colour bar's label says so), so that a few runaway cells do not wash out the rest.
	ZMax float64 `json:"z_max,omitempty"`
}

// Figure is what one figure shows, as data.
type Figure struct {
	File   string   `json:"file"`  // file name without extension: says what it shows
	Title  string   `json:"title"` // shown above the plot
	Desc   string   `json:"desc"`  // one line for the index
	XLabel string   `json:"x_label"`
	YLabel string   `json:"y_label"`
	Series []Series `json:"series"`
	Heat   *Heat    `json:"heat,omitempty"`
	// LegendLeft puts the legend at the top left (for rising data); it is at the top right
	// otherwise.
	LegendLeft bool `json:"legend_left,omitempty"`
	// LegendBottom puts the legend at the bottom (where the data leave room).
	LegendBottom bool `json:"legend_bottom,omitempty"`
	// YCategories, when given, label y = 0, 1, … with these names instead of numbers (one row
	// per parameter, say).
	YCategories []string `json:"y_categories,omitempty"`
	// HeightIn is the figure's height in inches; 0 means Size.H (a figure of many categories
	// needs more).
	HeightIn float64 `json:"height_in,omitempty"`
}

// Size is the size figures are drawn at.
var Size = struct{ W, H vg.Length }{7 * vg.Inch, 4.5 * vg.Inch}

// DPI is the resolution of PNG figures (a 7 × 4.5 inch figure is 1050 × 675 pixels).
const DPI = 150

// colors is the figure palette (Okabe–Ito, distinguishable in colour vision deficiency).
var colors = []color.Color{
	color.RGBA{0, 114, 178, 255}, color.RGBA{213, 94, 0, 255}, color.RGBA{0, 158, 115, 255}, color.RGBA{204, 121, 167, 255},
	color.RGBA{230, 159, 0, 255}, color.RGBA{86, 180, 233, 255}, color.RGBA{120, 120, 120, 255}, color.RGBA{0, 0, 0, 255},
}

func colorOf(i int) color.Color { return colors[((i%len(colors))+len(colors))%len(colors)] }

// Render draws f to path; the extension (.png or .svg) chooses the format.
func Render(f *Figure, path string) error {
	p := plot.New()
	p.Title.Text = wrapTitle(f.Title, 80)
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = plainTicks{}, plainTicks{}
	p.Legend.Top = !f.LegendBottom
	p.Legend.Left = f.LegendLeft
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Legend.Padding = vg.Points(2)
	p.Add(plotter.NewGrid())
	var bar *plot.Plot
	if f.Heat != nil {
		var err error
		if bar, err = addHeat(p, f.Heat); err != nil {
			return fmt.Errorf("%s: %w", f.File, err)
		}
	}
	for _, s := range f.Series {
		if err := addSeries(p, s); err != nil {
			return fmt.Errorf("%s: %s: %w", f.File, s.Label, err)
		}
	}
	if f.Heat == nil {
		padRange(&p.X)
		padRange(&p.Y)
	}
	if n := len(f.YCategories); n > 0 {
		ticks := make([]plot.Tick, n)
		for k, name := range f.YCategories {
			ticks[k] = plot.Tick{Value: float64(k), Label: name}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(ticks)
		p.Y.Min, p.Y.Max = -0.6, float64(n)-0.4
	}
	h := Size.H
	if f.HeightIn > 0 {
		h = vg.Length(f.HeightIn) * vg.Inch
	}
	var c vg.CanvasWriterTo
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(Size.W, h), vgimg.UseDPI(DPI))}
	case ".svg":
		c = vgsvg.New(Size.W, h)
	default:
		return fmt.Errorf("%s: want a .png or .svg file", path)
	}
	// A margin at the top (the title) and the right (the last tick label).
	margin := vg.Length(0)
	if len(f.YCategories) > 0 {
		margin = vg.Points(4) // category names reach the left edge otherwise
	}
	dc := draw.Crop(draw.New(c.(vg.CanvasSizer)), margin, -vg.Points(8), 0, -vg.Points(6))
	p.Title.Padding = vg.Points(6)
	if bar == nil {
		drawWithLegend(p, dc)
	} else {
		// The heatmap and, beside it, its colour bar.
		left := draw.Crop(dc, 0, -1.5*vg.Inch, 0, 0)
		right := draw.Crop(dc, Size.W-1.1*vg.Inch, -0.3*vg.Inch, 0.6*vg.Inch, -0.5*vg.Inch)
		drawWithLegend(p, left)
		bar.Draw(right)
	}
	return writeAtomic(path, c)
}

// wrapTitle breaks a title longer than width characters into lines, before an opening
// parenthesis or after a comma, so that it fits above the plot.
func wrapTitle(title string, width int) string {
	var lines []string
	for utf8.RuneCountInString(title) > width {
		cut := -1
		for i, r := range title {
			if utf8.RuneCountInString(title[:i]) > width {
				break
			}
			if (r == '(' || r == ',') && i > 0 {
				cut = i
			}
		}
		if cut < 0 {
			break
		}
		if title[cut] == ',' {
			cut++
		}
		lines = append(lines, strings.TrimSpace(title[:cut]))
		title = strings.TrimSpace(title[cut:])
	}
	return strings.Join(append(lines, title), "\n")
}

// padRange widens an axis's data range by 4% at each end, so that points at the extremes are not
// drawn on the plot's edge.
func padRange(a *plot.Axis) {
	if d := a.Max - a.Min; d > 0 && !math.IsInf(d, 0) {
		lo := a.Min
		a.Min, a.Max = a.Min-0.04*d, a.Max+0.04*d
		if lo >= 0 && a.Min < 0 {
			a.Min = 0 // rates, counts and currents that start at 0 keep their origin
		}
	}
}

// plainTicks are ticks at round numbers, steps of 1, 2 or 5 times a power of ten, about five
// labelled ones to an axis, labelled as numbers are written (2.5, 5, 7.5; not 2.50, 5.00,
// 7.50), with unlabelled ticks halfway.
type plainTicks struct{}

// Ticks returns the ticks of [min, max].
func (plainTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) {
		return plot.DefaultTicks{}.Ticks(min, max)
	}
	raw := (max - min) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ts []plot.Tick
	for k := math.Ceil(min / step * 2); k/2*step <= max+step*1e-9; k++ {
		v := k / 2 * step
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		t := plot.Tick{Value: v}
		if int64(k)%2 == 0 {
			t.Label = strconv.FormatFloat(snapTick(v, step), 'f', -1, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// snapTick rounds v to the decimals of step, so that 0.1·3 labels as 0.3.
func snapTick(v, step float64) float64 {
	dec := max(0, -int(math.Floor(math.Log10(step))))
	x, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', dec, 64), 64)
	return x
}

// legendTexts are the labels added to each plot's legend (gonum/plot keeps them unexported).
var legendTexts = struct {
	sync.Mutex
	m map[*plot.Plot][]string
}{m: map[*plot.Plot][]string{}}

// legendAdd adds an entry to p's legend and remembers its label.
func legendAdd(p *plot.Plot, label string, thumbs ...plot.Thumbnailer) {
	p.Legend.Add(label, thumbs...)
	legendTexts.Lock()
	legendTexts.m[p] = append(legendTexts.m[p], label)
	legendTexts.Unlock()
}

// drawWithLegend draws p with its legend on a light background, so that the legend stays
// readable where it lies over data.
func drawWithLegend(p *plot.Plot, dc draw.Canvas) {
	leg := p.Legend
	p.Legend = plot.NewLegend()
	p.Draw(dc)
	p.Legend = leg
	legendTexts.Lock()
	entries := legendTexts.m[p]
	delete(legendTexts.m, p)
	legendTexts.Unlock()
	if len(entries) == 0 {
		return
	}
	data := p.DataCanvas(dc)
	sty := leg.TextStyle
	var width, height vg.Length
	for i, text := range entries {
		width = max(width, leg.ThumbnailWidth+sty.Rectangle(" "+text).Max.X)
		height += sty.Rectangle(text).Size().Y
		if i > 0 {
			height += leg.Padding
		}
	}
	pad := vg.Points(3)
	r := vg.Rectangle{Min: vg.Point{X: data.Min.X, Y: data.Max.Y - height}, Max: vg.Point{X: data.Min.X + width, Y: data.Max.Y}}
	if !leg.Top {
		r.Min.Y, r.Max.Y = data.Min.Y, data.Min.Y+height
	}
	if !leg.Left {
		r.Min.X, r.Max.X = data.Max.X-width, data.Max.X
	}
	r.Min.X, r.Min.Y, r.Max.X, r.Max.Y = r.Min.X-pad, r.Min.Y-pad, r.Max.X+pad, r.Max.Y+pad
	dc.SetColor(color.NRGBA{R: 255, G: 255, B: 255, A: 217})
	dc.Fill(r.Path())
	leg.Draw(data)
}

func writeAtomic(path string, c vg.CanvasWriterTo) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// finite returns the points of xs, ys where both are finite.
func finite(xs, ys []float64) plotter.XYs {
	var out plotter.XYs
	for i := range xs {
		if ok(xs[i]) && ok(ys[i]) {
			out = append(out, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	return out
}

// maxLinePoints is about the most points a line is drawn with: a figure is some 900 pixels
// wide, and a million-step trace (100 s at 0.1 ms) drawn point by point takes minutes.
const maxLinePoints = 8000

// linePiece is the most segments one path of a line has.
const linePiece = 500

// envelope returns pts if they are at most max, and otherwise, for each of max/4 consecutive
// slices of them, the slice's first, lowest, highest and last points in their order: the line
// drawn through them covers the same pixels as the whole line at the figure's resolution.
func envelope(pts plotter.XYs, max int) plotter.XYs {
	if len(pts) <= max {
		return pts
	}
	buckets := max / 4
	out := make(plotter.XYs, 0, 4*buckets)
	for b := range buckets {
		lo, hi := b*len(pts)/buckets, (b+1)*len(pts)/buckets
		kmin, kmax := lo, lo
		for k := lo; k < hi; k++ {
			if pts[k].Y < pts[kmin].Y {
				kmin = k
			}
			if pts[k].Y > pts[kmax].Y {
				kmax = k
			}
		}
		keep := []int{lo, kmin, kmax, hi - 1}
		slices.Sort(keep)
		for n, k := range keep {
			if n == 0 || k != keep[n-1] {
				out = append(out, pts[k])
			}
		}
	}
	return out
}

func ok(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func addSeries(p *plot.Plot, s Series) error {
	col := colorOf(s.Color)
	dash := func(l *draw.LineStyle) {
		l.Color = col
		l.Width = vg.Points(1.2)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
	}
	switch s.Kind {
	case Line:
		// One line per run of finite points, so that NaN breaks the line.
		first := true
		for i := 0; i < len(s.X); {
			j := i
			for j < len(s.X) && ok(s.X[j]) && ok(s.Y[j]) {
				j++
			}
			pts := envelope(finite(s.X[i:j], s.Y[i:j]), maxLinePoints)
			// Long lines go in pieces (sharing their ends): the rasterizer's time grows with the
			// square of a path's length.
			for a := 0; a < len(pts); a += linePiece {
				l, err := plotter.NewLine(pts[a:min(a+linePiece+1, len(pts))])
				if err != nil {
					return err
				}
				dash(&l.LineStyle)
				p.Add(l)
				if first && s.Label != "" {
					legendAdd(p, s.Label, l)
					first = false
				}
			}
			i = j + 1
		}
	case Points, ErrorBars, XErrorBars, Dots:
		pts := finite(s.X, s.Y)
		if len(pts) == 0 {
			return nil
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = col
		sc.GlyphStyle.Radius = vg.Points(2.2)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		if s.Kind == Dots {
			sc.GlyphStyle.Radius = vg.Points(0.7)
		}
		p.Add(sc)
		if s.Label != "" {
			legendAdd(p, s.Label, sc)
		}
		if s.Kind == XErrorBars {
			var xe plotter.XErrors
			var xy plotter.XYs
			for i := range s.X {
				if ok(s.X[i]) && ok(s.Y[i]) && ok(s.Lo[i]) && ok(s.Hi[i]) {
					xy = append(xy, plotter.XY{X: s.X[i], Y: s.Y[i]})
					xe = append(xe, struct{ Low, High float64 }{s.X[i] - s.Lo[i], s.Hi[i] - s.X[i]})
				}
			}
			if len(xy) > 0 {
				eb, err := plotter.NewXErrorBars(struct {
					plotter.XYs
					plotter.XErrors
				}{xy, xe})
				if err != nil {
					return err
				}
				eb.LineStyle.Color = col
				eb.CapWidth = vg.Points(4)
				p.Add(eb)
			}
		}
		if s.Kind == ErrorBars {
			var ye plotter.YErrors
			var xy plotter.XYs
			for i := range s.X {
				if ok(s.X[i]) && ok(s.Y[i]) && ok(s.Lo[i]) && ok(s.Hi[i]) {
					xy = append(xy, plotter.XY{X: s.X[i], Y: s.Y[i]})
					ye = append(ye, struct{ Low, High float64 }{s.Y[i] - s.Lo[i], s.Hi[i] - s.Y[i]})
				}
			}
			if len(xy) > 0 {
				eb, err := plotter.NewYErrorBars(struct {
					plotter.XYs
					plotter.YErrors
				}{xy, ye})
				if err != nil {
					return err
				}
				eb.LineStyle.Color = col
				p.Add(eb)
			}
		}
	case Band:
		var top, bottom plotter.XYs
		for i := range s.X {
			if ok(s.X[i]) && ok(s.Lo[i]) && ok(s.Hi[i]) {
				top = append(top, plotter.XY{X: s.X[i], Y: s.Hi[i]})
				bottom = append(bottom, plotter.XY{X: s.X[i], Y: s.Lo[i]})
			}
		}
		if len(top) < 2 {
			return nil
		}
		for i := len(bottom) - 1; i >= 0; i-- {
			top = append(top, bottom[i])
		}
		poly, err := plotter.NewPolygon(top)
		if err != nil {
			return err
		}
		r, g, b, _ := col.RGBA()
		poly.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 60}
		poly.LineStyle.Width = 0
		p.Add(poly)
		if s.Label != "" {
			legendAdd(p, s.Label, poly)
		}
	case Ticks:
		for i := range s.X {
			l, err := plotter.NewLine(plotter.XYs{{X: s.X[i], Y: s.Lo[i]}, {X: s.X[i], Y: s.Hi[i]}})
			if err != nil {
				return err
			}
			l.LineStyle.Color = col
			l.LineStyle.Width = vg.Points(0.5)
			p.Add(l)
			if i == 0 && s.Label != "" {
				legendAdd(p, s.Label, l)
			}
		}
	case HLine, VLine:
		var fn *plotter.Function
		if s.Kind == HLine {
			y := s.Y[0]
			fn = plotter.NewFunction(func(float64) float64 { return y })
		} else {
			// A vertical line: drawn as a two-point line spanning the data's y range later.
			x := s.X[0]
			l, err := plotter.NewLine(plotter.XYs{{X: x, Y: s.Lo[0]}, {X: x, Y: s.Hi[0]}})
			if err != nil {
				return err
			}
			dash(&l.LineStyle)
			p.Add(l)
			if s.Label != "" {
				legendAdd(p, s.Label, l)
			}
			return nil
		}
		dash(&fn.LineStyle)
		p.Add(fn)
		if s.Label != "" {
			legendAdd(p, s.Label, fn)
		}
	default:
		return fmt.Errorf("unknown kind %q", s.Kind)
	}
	return nil
}

// grid adapts a Heat to plotter.GridXYZ.
type grid struct {
	x, y []float64
	z    [][]float64
}

func (g grid) Dims() (c, r int)   { return len(g.x), len(g.y) }
func (g grid) Z(c, r int) float64 { return g.z[r][c] }
func (g grid) X(c int) float64    { return g.x[c] }
func (g grid) Y(r int) float64    { return g.y[r] }

// addHeat adds the heatmap and its contour to p and returns the colour bar to draw beside it.
func addHeat(p *plot.Plot, h *Heat) (*plot.Plot, error) {
	pal := moreland.SmoothBlueRed()
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, row := range h.Z {
		for _, z := range row {
			if ok(z) {
				lo, hi = math.Min(lo, z), math.Max(hi, z)
			}
		}
	}
	if !ok(lo) {
		lo, hi = 0, 1
	}
	z := h.Z
	label := h.ZLabel
	if h.ZMax > 0 && hi > h.ZMax {
		hi = h.ZMax
		z = make([][]float64, len(h.Z))
		for i, row := range h.Z {
			z[i] = make([]float64, len(row))
			for j, v := range row {
				z[i][j] = math.Min(v, h.ZMax)
			}
		}
		label += fmt.Sprintf(", ≥ %g as %g", h.ZMax, h.ZMax)
	}
	if hi <= lo {
		hi = lo + 1
	}
	pal.SetMin(lo)
	pal.SetMax(hi)
	hm := plotter.NewHeatMap(grid{h.X, h.Y, z}, pal.Palette(255))
	hm.NaN = color.Gray{200}
	p.Add(hm)
	c := h.C
	if c == nil {
		c = h.Z
	}
	cg := grid{h.X, h.Y, c}
	if len(h.X) > 1 && len(h.Y) > 1 {
		ct := plotter.NewContour(cg, []float64{h.Level}, palette.Heat(1, 1))
		style := draw.LineStyle{Color: color.Black, Width: vg.Points(2), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
		ct.LineStyles = []draw.LineStyle{style}
		p.Add(ct)
		legendAdd(p, h.CLabel, &plotter.Line{LineStyle: style})
	}
	bar := plot.New()
	cb := &plotter.ColorBar{ColorMap: pal, Vertical: true}
	bar.Add(cb)
	bar.HideX()
	bar.Y.Padding = 0
	bar.Y.Tick.Marker = plainTicks{}
	bar.Title.Text = label
	bar.Title.TextStyle.Font.Size = vg.Points(9)
	return bar, nil
}
