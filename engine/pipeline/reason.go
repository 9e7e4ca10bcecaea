package pipeline

import (
	"regexp"
	"strings"
)

var (
	// ffmpegContext is the "[mov,mp4,m4a @ 0x55d4c1a2b3c0] " ffmpeg puts
	// before its messages: its demuxer and a memory address.
	ffmpegContext = regexp.MustCompile(`\[[^\]]*@ ?0x[0-9a-fA-F]+\]\s*`)
	// absolutePath is a path of two or more segments from the root.
	absolutePath = regexp.MustCompile(`(?:/[^\s/:'"()\[\],]+){2,}/?`)
	// leadingFile is a path that began a message ("PATH: reason").
	leadingFile = regexp.MustCompile(`(^|\()the file: `)
)

// PublicReason is a failure's text as an API client may see it: no paths
// on this server and no ffmpeg internals. The full text stays in the log.
func PublicReason(s string) string {
	s = ffmpegContext.ReplaceAllString(s, "")
	s = absolutePath.ReplaceAllString(s, "the file")
	s = leadingFile.ReplaceAllString(s, "$1")
	return strings.Join(strings.Fields(s), " ")
}
