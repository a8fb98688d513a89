package rawio

import "unsafe"

// bufPtr is the address of b's first byte (b is non-empty). The slice stays
// referenced from the Conn for the duration of the system call.
func bufPtr(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }
