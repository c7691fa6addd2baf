package fakepgdash

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"testing"
)

func post(t *testing.T, url, body string, gz bool) int {
	t.Helper()
	var buf bytes.Buffer
	if gz {
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(body))
		zw.Close()
	} else {
		buf.WriteString(body)
	}
	req, _ := http.NewRequest("POST", url+"/api/v1/report", &buf)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestFake(t *testing.T) {
	f := New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	good := `{"apikey":"abcdefghijklmnopqrstuv","server":"db7","data":{"meta":{"version":"1.20"},"tables":[{},{}]}}`
	f.Script("429", "500", "409", "drop")
	for _, want := range []int{429, 500, 409, -1, 200} {
		if got := post(t, srv.URL, good, true); got != want {
			t.Errorf("status %d, want %d", got, want)
		}
	}
	if got := post(t, srv.URL, good, false); got != 400 {
		t.Errorf("plain body: %d, want 400", got)
	}
	if got := post(t, srv.URL, `{"apikey":"short","data":{}}`, true); got != 400 {
		t.Errorf("bad key: %d, want 400", got)
	}
	if s, ok := f.LastSummary(); !ok || s != "apikey=abcdefghijklmnopqrstuv server=db7 version=1.20 tables=2" {
		t.Errorf("summary %q", s)
	}
	if f.Requests() != 7 {
		t.Errorf("requests %d", f.Requests())
	}
}
