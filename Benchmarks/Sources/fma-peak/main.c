// fma-peak: the FP32 fused-multiply-add peak of this CPU, measured, per core and on all cores.
//
// Each thread runs CHAINS independent chains of 256-bit FMAs (8 floats, 2 FLOP each) over registers, so
// neither latency nor memory limits it: with two FMA pipes of 4-cycle latency, 8 chains already fill a
// Zen 3 core; 12 leave margin. A dependent chain of integer adds (1-cycle latency) estimates the clock
// under load, hence the FLOP per cycle (32 on Zen 3: two 256-bit FMA pipes).
//
// Usage: swift run -c release --package-path Benchmarks fma-peak [--seconds 2] [--threads N]
// Prints GFLOP/s of 256-bit and (where the CPU has it) 512-bit FMAs on 1 thread and on N threads (default:
// all online processors), best of 5 runs each, then the peak: the best on N threads. Zen 3 reaches
// 32 FLOP/cycle/core with 256-bit FMAs and has no AVX-512; Zen 5 has two full 512-bit FMA pipes, 64.
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHAINS 12

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

typedef struct { long iterations; float sink; } Work;

__attribute__((target("avx512f"))) static void *fma512_chains(void *arg) {
    Work *w = arg;
    __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    __m512 c[CHAINS];
    for (int k = 0; k < CHAINS; k++) c[k] = _mm512_set1_ps((float)k);
    for (long i = 0; i < w->iterations; i++) {
        for (int k = 0; k < CHAINS; k++) c[k] = _mm512_fmadd_ps(c[k], a, b);
        __asm__ volatile("" : "+v"(c[0]), "+v"(c[1]), "+v"(c[2]), "+v"(c[3]), "+v"(c[4]), "+v"(c[5]));
        __asm__ volatile("" : "+v"(c[6]), "+v"(c[7]), "+v"(c[8]), "+v"(c[9]), "+v"(c[10]), "+v"(c[11]));
    }
    float s = 0;
    for (int k = 0; k < CHAINS; k++) s += _mm512_reduce_add_ps(c[k]);
    w->sink = s;
    return NULL;
}

__attribute__((target("avx2,fma"))) static void *fma_chains(void *arg) {
    Work *w = arg;
    __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    __m256 c[CHAINS];
    for (int k = 0; k < CHAINS; k++) c[k] = _mm256_set1_ps((float)k);
    for (long i = 0; i < w->iterations; i++) {
        for (int k = 0; k < CHAINS; k++) c[k] = _mm256_fmadd_ps(c[k], a, b);
        __asm__ volatile("" : "+x"(c[0]), "+x"(c[1]), "+x"(c[2]), "+x"(c[3]), "+x"(c[4]), "+x"(c[5]));
        __asm__ volatile("" : "+x"(c[6]), "+x"(c[7]), "+x"(c[8]), "+x"(c[9]), "+x"(c[10]), "+x"(c[11]));
    }
    float out[8], s = 0;
    for (int k = 0; k < CHAINS; k++) { _mm256_storeu_ps(out, c[k]); s += out[0]; }
    w->sink = s;
    return NULL;
}

// A chain of dependent scalar integer adds, 16 per loop iteration so that the loop's own instructions hide
// in their shadow: one add per cycle (1-cycle latency) on any x86 core, so adds / time is the clock under
// load (the kernel's `cpu MHz` shows the nominal, not the boosted, frequency).
#define ADDS_PER_ITERATION 16
static void *add_chain(void *arg) {
    Work *w = arg;
    unsigned long x = 1;
    for (long i = 0; i < w->iterations; i++) {
        __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
                         "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
    }
    w->sink = (float)x;
    return NULL;
}

static double run(int threads, long iterations, void *(*body)(void *)) {
    pthread_t ids[64];
    Work work[64];
    double t0 = now();
    for (int t = 0; t < threads; t++) {
        work[t].iterations = iterations;
        pthread_create(&ids[t], NULL, body, &work[t]);
    }
    for (int t = 0; t < threads; t++) pthread_join(ids[t], NULL);
    return now() - t0;
}

int main(int argc, char **argv) {
    double seconds = 2;
    int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else { fprintf(stderr, "fma-peak: unknown option %s\n", argv[i]); return 2; }
    }
    if (threads < 1 || threads > 64) { fprintf(stderr, "fma-peak: --threads must be 1-64\n"); return 2; }
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {  // AVX-512 CPUs have both
        fprintf(stderr, "fma-peak: this CPU has no AVX2/FMA\n");
        return 1;
    }
    // Per vector width the CPU has: calibrate the iteration count to about `seconds` per run on one
    // thread, then the best of 5 runs on 1 and on `threads` threads.
    struct { const char *name; int floats; void *(*body)(void *); int supported; } widths[2] = {
        {"256-bit (AVX2)", 8, fma_chains, 1},
        {"512-bit (AVX-512)", 16, fma512_chains, __builtin_cpu_supports("avx512f")},
    };
    double single = 0, all = 0;
    long n = 0;
    for (int v = 0; v < 2; v++) {
        if (!widths[v].supported) { printf("%s FMA: not supported by this CPU\n", widths[v].name); continue; }
        n = 1000000;
        while (run(1, n, widths[v].body) < seconds / 4) n *= 2;
        n = (long)(n * seconds / run(1, n, widths[v].body));
        double flopPerIteration = CHAINS * widths[v].floats * 2;
        int counts[2] = {1, threads};
        for (int k = 0; k < (threads > 1 ? 2 : 1); k++) {
            double best = 1e30;
            for (int r = 0; r < 5; r++) { double t = run(counts[k], n, widths[v].body); if (t < best) best = t; }
            double gflops = counts[k] * n * flopPerIteration / best / 1e9;
            if (k == 0 && gflops > single) single = gflops;
            if (counts[k] == threads && gflops > all) all = gflops;
            printf("%s FMA, %d thread%s: %.1f GFLOP/s (%d x %d chains, best of 5, %.2f s)\n", widths[v].name,
                   counts[k], counts[k] > 1 ? "s" : "", gflops, counts[k], CHAINS, best);
        }
    }
    if (threads == 1) all = single;
    printf("FP32 FMA peak, %d thread%s: %.1f GFLOP/s\n", threads, threads > 1 ? "s" : "", all);
    long loops = n;
    double best = 1e30;
    for (int r = 0; r < 5; r++) { double t = run(1, loops, add_chain); if (t < best) best = t; }
    double ghz = (double)loops * ADDS_PER_ITERATION / best / 1e9;
    printf("clock under load (dependent add chain, 1 thread): %.2f GHz -> %.1f FLOP/cycle/core at the widest FMA\n", ghz, single / ghz);
    return 0;
}
