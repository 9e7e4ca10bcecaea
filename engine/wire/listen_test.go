package wire

import "testing"

func TestIsLoopbackAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true}, {"localhost:0", true}, {"[::1]:9", true}, {"127.0.0.2:1", true},
		{"0.0.0.0:8080", false}, {":8080", false}, {"[::]:1", false}, {"192.0.2.1:80", false},
		{"glimpse.lan:80", false}, {"127.0.0.1", false},
	}
	for _, tt := range tests {
		if got := IsLoopbackAddr(tt.addr); got != tt.want {
			t.Errorf("IsLoopbackAddr(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
