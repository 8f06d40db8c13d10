package taxonomy

import (
	"fmt"
	"math"
	"strconv"
)

// paletteFromString is ColourPaletteTool::generatePaletteFromString, the
// colours MISP gives a taxonomy's tags that have none of their own: one
// hue derived from the namespace, n brightness steps from dark to full.
// (MISP derives the hue differently for a UUID string; namespaces are not.)
func paletteFromString(s string, n int) []string {
	if n == 0 {
		return nil
	}
	hue := stringHue(s)
	steps := 80 / float64(n)
	colours := make([]string, n)
	for i := range colours {
		value := (20 + steps*float64(i+1)) / 100
		colours[i] = hsvToRGB(hue, 1, value)
	}
	return colours
}

// stringHue sums the bytes of s (non-ASCII characters count as '?', as
// after PHP's mb_convert_encoding to ASCII) modulo 100, as a fraction.
func stringHue(s string) float64 {
	sum := 0
	for _, r := range s {
		if r >= 0x80 {
			r = '?'
		}
		sum += int(r)
	}
	return float64(sum%100) / 100
}

// hsvToRGB is ColourPaletteTool::HSVtoRGB: h, s, v in [0, 1] to "#rrggbb".
func hsvToRGB(h, s, v float64) string {
	h *= 6
	i := math.Floor(h)
	f := h - i
	m := v * (1 - s)
	n := v * (1 - s*f)
	k := v * (1 - s*(1-f))
	var r, g, b float64
	switch i {
	case 0:
		r, g, b = v, k, m
	case 1:
		r, g, b = n, v, m
	case 2:
		r, g, b = m, v, k
	case 3:
		r, g, b = m, n, v
	case 4:
		r, g, b = k, m, v
	default: // 5, and 6 for h = 1
		r, g, b = v, m, n
	}
	return fmt.Sprintf("#%02x%02x%02x", int(phpRound(r*255)), int(phpRound(g*255)), int(phpRound(b*255)))
}

// phpRound is PHP's round() to an integer: it first rounds to 15
// significant digits (PHP's "pre-rounding", which makes 127.49999999999999
// round up) and then rounds half away from zero.
func phpRound(x float64) float64 {
	pre, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	if err != nil {
		return math.Round(x)
	}
	return math.Round(pre)
}
