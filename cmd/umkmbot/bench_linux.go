package main

import "syscall"

// benchChildAttr makes the bot die with the bench, so a killed bench leaves no bot polling.
func benchChildAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
