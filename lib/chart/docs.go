package chart

import (
	"html"
	"strings"
)

// Example is one live example on the documentation page.
type Example struct {
	Param, What, Query string
}

const (
	tempData = "d0=RXZZfhgdURRUYZgfccZXUM&d1=HGHGHJHIJKLKJLMNMNMLKJ&d2=abcdefghijihgfedcbabcd&d3=9876543210zyxwvutsrqpo"
	aaplData = "d0=LNQSRUUXaWVSTVXYaccbfhjgfiklkjkmnorsqpqttvxy"
)

// Examples are the documentation page's parameters, each with a live chart.
// Tests render every one of them (and the browser test loads them).
var Examples = []Example{
	{"w, h, d0", "Required: width and height in CSS pixels (1 to 2000) and the first dataset, one character a point from A-Z a-z 0-9 (A is the bottom, 9 the top).", "a.svg?w=580&h=180&d0=RXZZfhgdURRUYZgfccZXUM"},
	{"d1 … d4", "Up to five datasets on one shared scale.", "a.svg?w=580&h=180&" + tempData},
	{"t", "A title (form-encoded, + is a space; at most 200 characters).", "a.svg?w=580&h=180&" + tempData + "&t=Temperature"},
	{"ymin, ymax", "Label the y axes, left and right. They do not move the data: A is always the bottom and 9 the top.", "a.svg?w=580&h=180&" + tempData + "&ymin=45&ymax=90&t=Temperature"},
	{"ol=1", "Only the left y axis.", "a.svg?w=580&h=180&" + aaplData + "&ymin=94.48&ymax=103.3&ol=1&t=AAPL+(past+2+months)"},
	{"or=1", "Only the right y axis.", "a.svg?w=580&h=180&" + aaplData + "&ymin=0&ymax=160000000&or=1"},
	{"step=1", "A step chart instead of a line.", "a.svg?w=580&h=180&" + aaplData + "&step=1"},
	{"hl=1", "Highlight the last point of every dataset.", "a.svg?w=580&h=180&" + aaplData + "&hl=1"},
	{"xmin, xmax, tz", "Unix seconds for the first and last point: the x axis shows times, in the IANA time zone tz (default UTC).", "a.svg?w=580&h=180&" + aaplData + "&xmin=1700000000&xmax=1700604800&tz=America/New_York&t=1+week"},
	{"s0 … s4", "Stroke colours, RRGGBB or RRGGBBAA; a trailing . is dotted, - dashed.", "a.svg?w=580&h=180&" + tempData + "&s0=4991AE&s1=FF8300.&s2=FF5DAA-&s3=00000040"},
	{"f0 … f4", "Fill colours under each line, RRGGBB or RRGGBBAA.", "a.svg?w=580&h=180&" + aaplData + "&f0=4991AE40"},
	{"_", "A gap in the data (our extension).", "a.svg?w=580&h=180&d0=RXZZfhgd____YZgfccZXUM&hl=1"},
	{"l0 … l4", "Name the datasets in a legend, in their colours (our extension).", "a.svg?w=580&h=180&" + tempData + "&l0=Paris&l1=Oslo&l2=Lima&l3=Perth&ymin=45&ymax=90"},
	{"spark=1", "A sparkline: the lines alone, no labels, title or legend (our extension).", "a.svg?w=160&h=40&" + aaplData + "&spark=1&hl=1"},
	{".png", "The same chart as PNG, at twice the size for retina screens.", "a.png?w=300&h=100&" + tempData + "&ymin=45&ymax=90"},
	{"errors", "Bad input answers 400 with an image that says what is wrong.", "a.svg?w=580&h=180&d0=bad!"},
}

// docsPage is the page served at /: every parameter, with a live example.
func docsPage() []byte {
	var b strings.Builder
	b.WriteString(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chartd</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
code{background:#f3f3f3;padding:0 .2em;word-break:break-all}
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #ddd;padding:.6em .4em;vertical-align:top;text-align:left}
img{max-width:100%;height:auto}
</style></head><body>
<h1>chartd</h1>
<p>Line and step charts from a query string, for <code>&lt;img&gt;</code> tags, e-mails and READMEs.
The format is <a href="https://chartd.co/">chartd.co</a>'s: put the URL in an image tag.</p>
<pre><code>&lt;img src="/a.svg?w=580&amp;h=180&amp;d0=RXZZfhgdURRUYZgfccZXUM&amp;ymin=45&amp;ymax=90&amp;t=Temperature"&gt;</code></pre>
<p>Any file name works; the extension decides: <code>.svg</code> (responsive, scales with its container) or
<code>.png</code> (twice the size, for retina screens). Long data can be sent with <code>POST</code>, the query in the body.
Unknown parameters are ignored. Limits: w and h 1 to 2000, at most 5 datasets, a title of 200
characters, a query of 16 KiB (a POST body of 1 MiB). A dataset of more than 4,096 points is downsampled to 4,096
(Largest-Triangle-Three-Buckets: the shape, the minimum and the maximum survive). Output is deterministic: responses carry a strong <code>ETag</code> and
<code>Cache-Control</code>.</p>
<table><tr><th>parameter</th><th>meaning and example</th></tr>
`)
	for _, e := range Examples {
		b.WriteString("<tr><td><code>" + html.EscapeString(e.Param) + "</code></td><td>" + html.EscapeString(e.What) +
			"<br><code>" + html.EscapeString(e.Query) + "</code><br><img class=\"example\" src=\"" + html.EscapeString(e.Query) +
			"\" alt=\"" + html.EscapeString(e.Param) + " example\"></td></tr>\n")
	}
	b.WriteString(`</table>
<p>Encoding a value: <code>trunc(61·(v−ymin)/(ymax−ymin))</code> into
<code>ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789</code>; values outside the range
clamp to the nearest edge. <code>chartd encode</code> does it for you. <a href="/healthz">/healthz</a> answers ok.</p>
</body></html>
`)
	return []byte(b.String())
}
