/*
 * fault_shim: an LD_PRELOAD library that makes a server's file writes and
 * fsyncs fail on demand, on real files, without root or a full file system:
 * the disk-full and fsync-failure tests of tests/integration/disk_fault_test.cc
 * run `plab serve` and redis-server (the oracle) under it.
 *
 * Environment:
 *   PLAB_FAULT_CONTROL  path of a control file. While it does not exist every
 *                       call passes through. While it exists, its first word
 *                       selects the fault:
 *                         enospc  write/pwrite/writev fail with ENOSPC
 *                         eio     fsync/fdatasync fail with EIO
 *                       Tests create, change and remove the file while the
 *                       server runs (a BGSAVE child of Redis sees it too).
 *
 * Only regular files are affected, and never one whose name ends in ".log"
 * (the servers' own log, the tests' witness). Sockets and pipes pass.
 * The control file is read on every affected call: slow, and fine for tests.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

enum Fault { kNone, kNoSpace, kFsyncIo };

static ssize_t (*real_write)(int, const void*, size_t);
static ssize_t (*real_pwrite)(int, const void*, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec*, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

static void Resolve(void) {
  if (real_fdatasync != NULL) return;
  real_write = dlsym(RTLD_NEXT, "write");
  real_pwrite = dlsym(RTLD_NEXT, "pwrite");
  real_writev = dlsym(RTLD_NEXT, "writev");
  real_fsync = dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
}

/* The fault the control file asks for now. Uses raw open/read/close: none
 * of them is intercepted, so there is no recursion. */
static enum Fault CurrentFault(void) {
  const char* control = getenv("PLAB_FAULT_CONTROL");
  if (control == NULL || *control == '\0') return kNone;
  int fd = open(control, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return kNone;
  char word[16] = {0};
  ssize_t n = read(fd, word, sizeof(word) - 1);
  close(fd);
  if (n <= 0) return kNone;
  if (strncmp(word, "enospc", 6) == 0) return kNoSpace;
  if (strncmp(word, "eio", 3) == 0) return kFsyncIo;
  return kNone;
}

/* A regular file that is not a log. */
static int Affected(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof(path) - 1);
  if (n < 0) return 1;
  path[n] = '\0';
  return !(n >= 4 && strcmp(path + n - 4, ".log") == 0);
}

static int Fails(int fd, enum Fault fault) { return CurrentFault() == fault && Affected(fd); }

ssize_t write(int fd, const void* buf, size_t count) {
  Resolve();
  if (Fails(fd, kNoSpace)) {
    errno = ENOSPC;
    return -1;
  }
  return real_write(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  Resolve();
  if (Fails(fd, kNoSpace)) {
    errno = ENOSPC;
    return -1;
  }
  return real_pwrite(fd, buf, count, offset);
}
ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset)
    __attribute__((alias("pwrite")));

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  Resolve();
  if (Fails(fd, kNoSpace)) {
    errno = ENOSPC;
    return -1;
  }
  return real_writev(fd, iov, iovcnt);
}

int fsync(int fd) {
  Resolve();
  if (Fails(fd, kFsyncIo)) {
    errno = EIO;
    return -1;
  }
  return real_fsync(fd);
}

int fdatasync(int fd) {
  Resolve();
  if (Fails(fd, kFsyncIo)) {
    errno = EIO;
    return -1;
  }
  return real_fdatasync(fd);
}

/* redis-server writes its RDB through stdio (rio over fwrite, then fflush
 * and fsync); glibc's stdio reaches the kernel without calling the write
 * symbol above, so the oracle's snapshot writes are failed here. */
static size_t (*real_fwrite)(const void*, size_t, size_t, FILE*);
static int (*real_fflush)(FILE*);

size_t fwrite(const void* ptr, size_t size, size_t n, FILE* stream) {
  if (real_fwrite == NULL) real_fwrite = dlsym(RTLD_NEXT, "fwrite");
  if (Fails(fileno(stream), kNoSpace)) {
    errno = ENOSPC;
    return 0;
  }
  return real_fwrite(ptr, size, n, stream);
}

int fflush(FILE* stream) {
  if (real_fflush == NULL) real_fflush = dlsym(RTLD_NEXT, "fflush");
  if (stream != NULL && Fails(fileno(stream), kNoSpace)) {
    errno = ENOSPC;
    return EOF;
  }
  return real_fflush(stream);
}
