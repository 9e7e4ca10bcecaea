package tlclient

import (
	"bufio"
	"bytes"
	"io"
)

// ndjsonReader splits a stream into lines of any length. A last line without
// "\n" is still a line; blank lines and a trailing "\r" are dropped.
type ndjsonReader struct {
	r    *bufio.Reader
	line []byte
}

func newNDJSONReader(r io.Reader) *ndjsonReader { return newNDJSONReaderSize(r, 64<<10) }

// newNDJSONReaderSize sets the buffer size; lines longer than it still work.
func newNDJSONReaderSize(r io.Reader, size int) *ndjsonReader {
	return &ndjsonReader{r: bufio.NewReaderSize(r, size)}
}

// next returns the next non-blank line (valid until the following call) or io.EOF.
func (n *ndjsonReader) next() ([]byte, error) {
	for {
		n.line = n.line[:0]
		var err error
		for {
			var chunk []byte
			chunk, err = n.r.ReadSlice('\n')
			n.line = append(n.line, chunk...)
			if err != bufio.ErrBufferFull {
				break
			}
		}
		line := bytes.TrimSpace(n.line)
		if len(line) > 0 {
			if err != nil && err != io.EOF {
				// A partial line cut by a broken connection is not an event.
				return nil, err
			}
			return line, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
