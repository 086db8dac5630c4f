//go:build goh5checked

package stream

// buildChecked turns checked mode on for every queue (build tag goh5checked).
const buildChecked = true
