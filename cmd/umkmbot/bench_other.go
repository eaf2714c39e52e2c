//go:build unix && !linux

package main

import "syscall"

// benchChildAttr: outside Linux there is no parent-death signal; the bench stops the bot itself.
func benchChildAttr() *syscall.SysProcAttr { return nil }
