package wire

import "net"

// IsLoopbackAddr reports whether a listen address (host:port) is reachable
// from this machine only. Both commands refuse to listen anywhere else
// without a key or login.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
