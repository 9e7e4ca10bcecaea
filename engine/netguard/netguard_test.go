package netguard

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestIsPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700::1111": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "::": false, "fc00::1": false,
		"fe80::1": false, "::ffff:127.0.0.1": false, "224.0.0.1": false,
		// Ranges that are not globally routable, or that translate to an
		// IPv4 address a gateway may reach inside (NAT64, 6to4).
		"0.1.2.3": false, "198.18.0.1": false, "240.0.0.1": false, "192.0.0.8": false,
		"64:ff9b::7f00:1": false, "64:ff9b::a00:1": false, "64:ff9b:1::a00:1": false, "2002:a00:1::1": false,
		"64:ff9b::808:808": true, "2002:808:808::1": true,
	} {
		if got := IsPublic(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s: %v", addr, got)
		}
	}
}

// The guard is applied when dialling: the addresses the old search-side
// guard let through are refused before any packet leaves.
func TestClientRefusesNonPublicDials(t *testing.T) {
	c := Client(Options{Timeout: 5 * time.Second})
	for _, u := range []string{
		"http://100.64.0.1:9/x.jpg", "http://0.1.2.3:9/x.jpg", "http://[64:ff9b::7f00:1]:9/x.jpg",
		"http://127.0.0.1:9/x.jpg", "http://169.254.169.254/latest/meta-data/",
	} {
		_, err := c.Get(u)
		if !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: err %v, want the private-address refusal", u, err)
		}
	}
}

func TestClientRedirectsAreGuarded(t *testing.T) {
	inner := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("secret")) }))
	defer inner.Close()
	cases := []struct {
		name         string
		allowPrivate bool
		target       string
		wantErr      bool
	}{
		{"guarded loopback", false, inner.URL, true},
		{"allowed loopback", true, inner.URL, false},
		{"redirect to a file URL", true, "file:///etc/passwd", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			redirect := httptest.NewServer(http.RedirectHandler(c.target, http.StatusFound))
			defer redirect.Close()
			client := Client(Options{Timeout: 5 * time.Second, AllowPrivate: c.allowPrivate})
			resp, err := client.Get(redirect.URL)
			if err == nil {
				resp.Body.Close()
			}
			if (err != nil) != c.wantErr {
				t.Fatalf("err %v, want error %v", err, c.wantErr)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://example.com/a.mp4": true, "http://example.com": true,
		"ftp://example.com/a": false, "file:///etc/passwd": false, "/relative": false, "http://": false,
	} {
		if got := CheckURL(raw) == nil; got != ok {
			t.Errorf("%q: ok %v, want %v", raw, got, ok)
		}
	}
}
