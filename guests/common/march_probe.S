/* guests/common/march_probe.S — assembled at configure time to check the -march string. */
        sh1add  a0, a1, a2
        andn    a0, a1, a2
        csrr    a0, mstatus
        fence.i
