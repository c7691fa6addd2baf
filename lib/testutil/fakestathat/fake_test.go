package fakestathat

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Expectations follow /work/shared/reference/stathat-api.md §1.1–§1.4.
func TestFake(t *testing.T) {
	tests := []struct {
		name       string
		mode       Mode
		path       string // with query
		ctype      string
		body       string
		wantStatus int
		wantBody   string
		wantPoints int
	}{
		{"form 204", OK, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=installs&count=1", 204, "", 1},
		{"email alias", OK, "/ez", "application/x-www-form-urlencoded", "email=k&stat=installs&count=1", 204, "", 1},
		{"vb=1 verbose", OK, "/ez?vb=1", "application/x-www-form-urlencoded", "ezkey=k&stat=x&value=1.5&t=1700000000", 200, `{"status":200,"msg":"ok"}`, 1},
		{"vb in form", OK, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&value=1.5&vb=1", 200, `{"status":200,"msg":"ok"}`, 1},
		{"get query", OK, "/ez?ezkey=k&stat=x&count=2", "", "", 204, "", 1},
		{"multi stat", OK, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=" + url.QueryEscape("messages sent~total,female,europe") + "&count=1", 204, "", 3},
		{"no count or value", OK, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x", 200, `{"status":500,"msg":"must include a count or value parameter"}`, 0},
		{"no key", OK, "/ez", "application/x-www-form-urlencoded", "stat=x&count=1", 200, `{"status":500,"msg":"no ezkey"}`, 0},
		{"long name", OK, "/ez", "application/x-www-form-urlencoded", "ezkey=k&count=1&stat=" + strings.Repeat("a", 256), 200, `{"status":500,"msg":"stat name longer than 255 characters"}`, 0},
		{"json bulk", OK, "/ez", "application/json", `{"ezkey":"k","data":[{"stat":"page view","count":2},{"stat":"request time~total,messages","value":23.094},{"stat":"load","value":0.7,"t":1363118126}]}`, 204, "", 4},
		{"json bad", OK, "/ez", "application/json", `{"ezkey":"k","data":[{"stat":"a","count":1},]}`, 200, "", 0},
		{"body500", BodyStatus500, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&count=1", 200, `{"status":500,"msg":"internal error"}`, 0},
		{"bodystring", BodyStatusString, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&count=1", 200, `{"status":"error","msg":"internal error"}`, 0},
		{"500", ServerError, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&count=1", 500, "Internal Server Error\n", 0},
		{"503", Unavailable, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&count=1", 503, "Back-end server is at capacity\n", 0},
		{"429", TooMany, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&count=1", 429, "Too Many Requests\n", 0},
		{"accept then 500", AcceptThen500, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&count=1", 500, "Internal Server Error\n", 1},
		{"verbose always", VerboseAlways, "/ez", "application/x-www-form-urlencoded", "ezkey=k&stat=x&count=1", 200, `{"status":200,"msg":"ok"}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, u := Start(t, Options{})
			f.SetMode(tc.mode)
			method := http.MethodPost
			if tc.body == "" {
				method = http.MethodGet
			}
			req, _ := http.NewRequest(method, u+tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantBody != "" && string(b) != tc.wantBody {
				t.Errorf("body %q, want %q", b, tc.wantBody)
			}
			if tc.wantStatus == 204 && len(b) != 0 {
				t.Errorf("204 with body %q", b)
			}
			if got := len(f.Points()); got != tc.wantPoints {
				t.Errorf("%d points, want %d: %+v", got, tc.wantPoints, f.Points())
			}
			if n, _ := f.Counts(); n != 1 {
				t.Errorf("%d requests counted", n)
			}
		})
	}
}

func TestFakeMultiAndScript(t *testing.T) {
	f, u := Start(t, Options{})
	f.Script(Unavailable, ServerError)
	post := func() int {
		resp, err := http.PostForm(u+"/ez", url.Values{"ezkey": {"k"}, "stat": {"a~x,y"}, "count": {"3"}, "t": {"1700000000"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, want := range []int{503, 500, 204} {
		if got := post(); got != want {
			t.Errorf("request %d: %d, want %d", i, got, want)
		}
	}
	ps := f.Points()
	if len(ps) != 2 || ps[0].Stat != "a x" || ps[1].Stat != "a y" || *ps[0].Count != 3 || ps[0].T != 1700000000 || ps[0].Via != "form" {
		t.Errorf("points %+v", ps)
	}
}

// Light mode counts bulk items whatever the key order.
func TestFakeLight(t *testing.T) {
	f, u := Start(t, Options{Light: true})
	for _, body := range []string{
		`{"ezkey":"k","data":[{"stat":"a","count":1},{"stat":"b","value":2}]}`,
		`{"data":[{"stat":"a","count":1}],"ezkey":"k"}`,
	} {
		resp, err := http.Post(u+"/ez", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Errorf("%s: %d", body, resp.StatusCode)
		}
	}
	if n, p := f.Counts(); n != 2 || p != 3 {
		t.Errorf("requests %d points %d", n, p)
	}
}
