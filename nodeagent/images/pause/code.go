package pause

// The program is a few machine instructions, kept here as bytes so that skiff builds its sandbox
// image without a compiler, a registry or a copy of its own (large) binary. In C it would be:
//
//	sigset_t set = {SIGINT, SIGTERM, SIGCHLD};
//	sigprocmask(SIG_BLOCK, &set, NULL);     // blocked signals are queued even for PID 1
//	for (;;) {
//		int sig = sigtimedwait(&set, NULL, NULL);
//		if (sig == SIGCHLD) { while (wait4(-1, NULL, WNOHANG, NULL) > 0) ; continue; }
//		if (sig > 0) exit_group(0);            // SIGINT or SIGTERM; errors (EINTR) wait again
//	}
//
// Waiting with sigtimedwait instead of handlers needs no signal trampoline (sa_restorer) and no
// data besides the 8-byte signal set, which lives on the initial stack. The listings were assembled
// with GNU as (amd64) and Go's assembler (arm64); TestPauseRuns runs the amd64 program.

// sigset is {SIGINT(2), SIGTERM(15), SIGCHLD(17)}: bits 1, 14 and 16.
const sigset = 1<<(2-1) | 1<<(15-1) | 1<<(17-1)

var codeAMD64 = []byte{
	0x68, 0x02, 0x40, 0x01, 0x00, // push 0x14002            ; set on the stack
	0x48, 0x89, 0xe6, //             mov rsi, rsp             ; set
	0x31, 0xff, //                   xor edi, edi             ; SIG_BLOCK
	0x31, 0xd2, //                   xor edx, edx             ; oldset = NULL
	0x41, 0xba, 0x08, 0, 0, 0, //    mov r10d, 8              ; sigsetsize
	0xb8, 0x0e, 0, 0, 0, //          mov eax, 14              ; rt_sigprocmask
	0x0f, 0x05, //                   syscall
	// wait (0x19):
	0x48, 0x89, 0xe7, //             mov rdi, rsp             ; set
	0x31, 0xf6, //                   xor esi, esi             ; info = NULL
	0x31, 0xd2, //                   xor edx, edx             ; timeout = NULL
	0x41, 0xba, 0x08, 0, 0, 0, //    mov r10d, 8
	0xb8, 0x80, 0, 0, 0, //          mov eax, 128             ; rt_sigtimedwait
	0x0f, 0x05, //                   syscall
	0x83, 0xf8, 0x11, //             cmp eax, 17              ; SIGCHLD?
	0x74, 0x0d, //                   je reap
	0x85, 0xc0, //                   test eax, eax
	0x7e, 0xe3, //                   jle wait                 ; -EINTR etc.
	0x31, 0xff, //                   xor edi, edi
	0xb8, 0xe7, 0, 0, 0, //          mov eax, 231             ; exit_group(0)
	0x0f, 0x05, //                   syscall
	// reap (0x3f):
	0x48, 0xc7, 0xc7, 0xff, 0xff, 0xff, 0xff, // mov rdi, -1 ; any child
	0x31, 0xf6, //                   xor esi, esi             ; status = NULL
	0xba, 0x01, 0, 0, 0, //          mov edx, 1               ; WNOHANG
	0x45, 0x31, 0xd2, //             xor r10d, r10d           ; rusage = NULL
	0xb8, 0x3d, 0, 0, 0, //          mov eax, 61              ; wait4
	0x0f, 0x05, //                   syscall
	0x48, 0x85, 0xc0, //             test rax, rax
	0x7f, 0xe3, //                   jg reap                  ; reaped one: try again
	0xeb, 0xbb, //                   jmp wait
}

var codeARM64 = []byte{
	0x41, 0x00, 0x88, 0xd2, // movz x1, #0x4002
	0x21, 0x00, 0xa0, 0xf2, // movk x1, #0x1, lsl #16   ; x1 = 0x14002
	0xff, 0x43, 0x00, 0xd1, // sub sp, sp, #16
	0xe1, 0x03, 0x00, 0xf9, // str x1, [sp]             ; set on the stack
	0xe0, 0x03, 0x1f, 0xaa, // mov x0, xzr              ; SIG_BLOCK
	0xe1, 0x03, 0x00, 0x91, // mov x1, sp               ; set
	0xe2, 0x03, 0x1f, 0xaa, // mov x2, xzr              ; oldset = NULL
	0xe3, 0x03, 0x7d, 0xb2, // mov x3, #8               ; sigsetsize
	0xe8, 0x10, 0x80, 0xd2, // mov x8, #135             ; rt_sigprocmask
	0x01, 0x00, 0x00, 0xd4, // svc #0
	// wait (0x28):
	0xe0, 0x03, 0x00, 0x91, // mov x0, sp               ; set
	0xe1, 0x03, 0x1f, 0xaa, // mov x1, xzr              ; info = NULL
	0xe2, 0x03, 0x1f, 0xaa, // mov x2, xzr              ; timeout = NULL
	0xe3, 0x03, 0x7d, 0xb2, // mov x3, #8
	0x28, 0x11, 0x80, 0xd2, // mov x8, #137             ; rt_sigtimedwait
	0x01, 0x00, 0x00, 0xd4, // svc #0
	0x1f, 0x44, 0x00, 0xf1, // cmp x0, #17              ; SIGCHLD?
	0xc0, 0x00, 0x00, 0x54, // b.eq reap
	0x1f, 0x00, 0x00, 0xf1, // cmp x0, #0
	0xed, 0xfe, 0xff, 0x54, // b.le wait                ; -EINTR etc.
	0xe0, 0x03, 0x1f, 0xaa, // mov x0, xzr
	0xc8, 0x0b, 0x80, 0xd2, // mov x8, #94              ; exit_group(0)
	0x01, 0x00, 0x00, 0xd4, // svc #0
	// reap (0x5c):
	0x00, 0x00, 0x80, 0x92, // mov x0, #-1              ; any child
	0xe1, 0x03, 0x1f, 0xaa, // mov x1, xzr              ; status = NULL
	0xe2, 0x03, 0x40, 0xb2, // mov x2, #1               ; WNOHANG
	0xe3, 0x03, 0x1f, 0xaa, // mov x3, xzr              ; rusage = NULL
	0x88, 0x20, 0x80, 0xd2, // mov x8, #260             ; wait4
	0x01, 0x00, 0x00, 0xd4, // svc #0
	0x1f, 0x00, 0x00, 0xf1, // cmp x0, #0
	0x2c, 0xff, 0xff, 0x54, // b.gt reap                ; reaped one: try again
	0xeb, 0xff, 0xff, 0x17, // b wait
}
