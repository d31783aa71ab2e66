package main

import (
	"io"
	"net"
	"sync"
	"testing"
)

// demoOption changes how runDemo serves the demo.
type demoOption struct {
	// front, given the app's own address, returns the address browsers
	// reach the app at (a proxy in front of it).
	front func(t *testing.T, appAddr string) string
	// before adjusts the wired demo before it starts.
	before func(*demoEnv)
}

// beforeStart adjusts the wired demo before it starts (its clock, say).
func beforeStart(f func(*demoEnv)) demoOption { return demoOption{before: f} }

// cutProxy is a TCP proxy in front of the app that can drop every
// connection and refuse new ones, as a network that goes away does.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	// badGateway answers a refused connection 502, as a load balancer
	// with the app away does; otherwise the connection is closed.
	badGateway bool
	conns      map[net.Conn]struct{}
}

// behind serves the app to browsers through p.
func behind(p *cutProxy) demoOption {
	return demoOption{front: func(t *testing.T, appAddr string) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p.ln, p.target, p.conns = ln, appAddr, map[net.Conn]struct{}{}
		t.Cleanup(func() { ln.Close(); p.Down(false) })
		go p.serve()
		return ln.Addr().String()
	}}
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down, bad := p.down, p.badGateway
		if !down {
			p.conns[c] = struct{}{}
		}
		p.mu.Unlock()
		if down {
			if bad {
				_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}
			c.Close()
			continue
		}
		go p.pipe(c)
	}
}

func (p *cutProxy) pipe(c net.Conn) {
	defer p.forget(c)
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.conns[up] = struct{}{}
	p.mu.Unlock()
	defer p.forget(up)
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
}

func (p *cutProxy) forget(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// Down drops every open connection and refuses new ones until Up; with
// badGateway each gets a 502.
func (p *cutProxy) Down(badGateway bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.badGateway = true, badGateway
	for c := range p.conns {
		c.Close()
	}
}

// Up lets connections through again.
func (p *cutProxy) Up() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
