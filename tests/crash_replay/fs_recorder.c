/*
 * fs_recorder: an LD_PRELOAD shim that logs the file-system calls a process
 * makes under one directory, with the bytes it writes, so that a test can
 * rebuild every state a power loss could leave (tests/crash_replay/).
 *
 * Environment:
 *   PLAB_FSREC_ROOT  absolute directory; only paths under it are recorded
 *                    (and descriptors opened on them)
 *   PLAB_FSREC_LOG   file the records are appended to
 *   PLAB_FSREC_DROP  "file" or "dir": fsyncs of files (or directories) still
 *                    happen but are left out of the log, so the replay sees a
 *                    server that forgot them (the test's self-check)
 *
 * Record format (parsed by trace.cc): one header line, then `len` bytes of
 * payload:
 *   <op> <fd> <arg> <len> <monotonic-ns>\n<payload>
 * op  O open/creat (arg = flags, payload = absolute path; a directory too)
 *     W write at offset arg (write/pwrite/writev; payload = the bytes)
 *     T ftruncate to arg
 *     S fsync / fdatasync      R sync_file_range (no durability promised)
 *     C close                  U unlink (payload = path)
 *     M mkdir (payload = path) N rename (payload = old '\0' new)
 *     X sync() / syncfs(): everything durable
 * Only calls that succeeded are logged, after they returned, so the log
 * size a client reads after a reply covers everything the server did before
 * sending it. A mutex serializes records; fd -> path tracking lives in a
 * fixed table (descriptors >= 4096 are not tracked).
 *
 * Threads: plab serve fsyncs its AOF on a background thread while the main
 * thread keeps writing. An `S` logged after a write that the fsync did not
 * cover would make the replay treat that write as durable, so a tracked
 * fsync holds g_order exclusively from its call until its record is logged,
 * and tracked writes and truncates hold it shared from their call until
 * theirs is: every write logged before an `S` happened before that fsync
 * began. (This makes writes wait for an fsync in flight: a test-only cost.)
 *
 * Not intercepted, because `plab serve` does not use them: mmap writes,
 * pwritev, copy_file_range, O_TMPFILE, link/symlink, fchdir-relative *at
 * calls (dirfd other than AT_FDCWD is resolved only when it is a tracked
 * directory).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 4096

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t g_order = PTHREAD_RWLOCK_INITIALIZER;
static int g_log_fd = -2; /* -2: not initialised, -1: disabled */
static char g_root[PATH_MAX];
static size_t g_root_len;
static char* g_fd_path[MAX_FDS];
static int g_drop_file_syncs, g_drop_dir_syncs;

static int (*real_open)(const char*, int, ...);
static int (*real_openat)(int, const char*, int, ...);
static ssize_t (*real_write)(int, const void*, size_t);
static ssize_t (*real_pwrite)(int, const void*, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec*, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_sfr)(int, off_t, off_t, unsigned int);
static int (*real_rename)(const char*, const char*);
static int (*real_renameat)(int, const char*, int, const char*);
static int (*real_unlink)(const char*);
static int (*real_unlinkat)(int, const char*, int);
static int (*real_mkdir)(const char*, mode_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_close)(int);
static void (*real_sync)(void);

static void Resolve(void) {
  if (real_close != NULL) return;
  real_open = dlsym(RTLD_NEXT, "open");
  real_openat = dlsym(RTLD_NEXT, "openat");
  real_write = dlsym(RTLD_NEXT, "write");
  real_pwrite = dlsym(RTLD_NEXT, "pwrite");
  real_writev = dlsym(RTLD_NEXT, "writev");
  real_fsync = dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
  real_sfr = dlsym(RTLD_NEXT, "sync_file_range");
  real_rename = dlsym(RTLD_NEXT, "rename");
  real_renameat = dlsym(RTLD_NEXT, "renameat");
  real_unlink = dlsym(RTLD_NEXT, "unlink");
  real_unlinkat = dlsym(RTLD_NEXT, "unlinkat");
  real_mkdir = dlsym(RTLD_NEXT, "mkdir");
  real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
  real_sync = dlsym(RTLD_NEXT, "sync");
  real_close = dlsym(RTLD_NEXT, "close"); /* last: marks the table complete */
}

__attribute__((constructor)) static void Init(void) {
  Resolve();
  const char* root = getenv("PLAB_FSREC_ROOT");
  const char* log = getenv("PLAB_FSREC_LOG");
  if (root == NULL || log == NULL || strlen(root) >= sizeof(g_root)) {
    g_log_fd = -1;
    return;
  }
  strcpy(g_root, root);
  const char* drop = getenv("PLAB_FSREC_DROP");
  g_drop_file_syncs = drop != NULL && strcmp(drop, "file") == 0;
  g_drop_dir_syncs = drop != NULL && strcmp(drop, "dir") == 0;
  g_root_len = strlen(g_root);
  while (g_root_len > 1 && g_root[g_root_len - 1] == '/') g_root[--g_root_len] = '\0';
  g_log_fd =
      (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* Writes all bytes to the log with raw system calls (never re-entering). */
static void LogBytes(const void* data, size_t len) {
  const char* p = data;
  while (len > 0) {
    ssize_t n = syscall(SYS_write, g_log_fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    len -= (size_t)n;
  }
}

static long long NowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One record with an iovec payload; called with g_mu held. */
static void Record(char op, int fd, long long arg, const struct iovec* iov, int iovcnt,
                   size_t len) {
  char head[128];
  int n = snprintf(head, sizeof(head), "%c %d %lld %zu %lld\n", op, fd, arg, len, NowNs());
  LogBytes(head, (size_t)n);
  for (int i = 0; i < iovcnt && len > 0; ++i) {
    size_t take = iov[i].iov_len < len ? iov[i].iov_len : len;
    LogBytes(iov[i].iov_base, take);
    len -= take;
  }
}

static void RecordBuf(char op, int fd, long long arg, const void* data, size_t len) {
  struct iovec v = {(void*)data, len};
  Record(op, fd, arg, &v, 1, len);
}

/* Absolute path of `path` relative to `dirfd`, or 0 when it can't be known. */
static int Absolute(int dirfd, const char* path, char* out) {
  if (path == NULL) return 0;
  if (path[0] == '/') {
    if (strlen(path) >= PATH_MAX) return 0;
    strcpy(out, path);
    return 1;
  }
  char base[PATH_MAX];
  if (dirfd == AT_FDCWD) {
    if (getcwd(base, sizeof(base)) == NULL) return 0;
  } else if (dirfd >= 0 && dirfd < MAX_FDS && g_fd_path[dirfd] != NULL) {
    strcpy(base, g_fd_path[dirfd]);
  } else {
    return 0;
  }
  return snprintf(out, PATH_MAX, "%s/%s", base, path) < PATH_MAX;
}

static int UnderRoot(const char* abs) {
  return g_log_fd >= 0 && strncmp(abs, g_root, g_root_len) == 0 &&
         (abs[g_root_len] == '/' || abs[g_root_len] == '\0');
}

static int Tracked(int fd) { return g_log_fd >= 0 && fd >= 0 && fd < MAX_FDS && g_fd_path[fd]; }

static void AfterOpen(int dirfd, const char* path, int flags, int fd) {
  char abs[PATH_MAX];
  if (fd < 0 || fd >= MAX_FDS || !Absolute(dirfd, path, abs) || !UnderRoot(abs)) return;
  pthread_mutex_lock(&g_mu);
  free(g_fd_path[fd]);
  g_fd_path[fd] = strdup(abs);
  RecordBuf('O', fd, flags, abs, strlen(abs));
  pthread_mutex_unlock(&g_mu);
}

static int OpenVa(int dirfd, const char* path, int flags, va_list ap) {
  Resolve();
  mode_t mode = 0;
  if (flags & (O_CREAT | __O_TMPFILE)) mode = va_arg(ap, mode_t);
  int fd = real_openat(dirfd, path, flags, mode);
  int saved = errno;
  AfterOpen(dirfd, path, flags, fd);
  errno = saved;
  return fd;
}

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int fd = OpenVa(AT_FDCWD, path, flags, ap);
  va_end(ap);
  return fd;
}
int open64(const char* path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  int fd = OpenVa(dirfd, path, flags, ap);
  va_end(ap);
  return fd;
}
int openat64(int dirfd, const char* path, int flags, ...) __attribute__((alias("openat")));

/* _FORTIFY_SOURCE entry points (no mode argument). */
int __open_2(const char* path, int flags) { return open(path, flags); }
int __open64_2(const char* path, int flags) { return open(path, flags); }
int __openat_2(int dirfd, const char* path, int flags) { return openat(dirfd, path, flags); }

int creat(const char* path, mode_t mode) { return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode); }
int creat64(const char* path, mode_t mode) __attribute__((alias("creat")));

/* g_order (see the header): shared for writes, exclusive for fsyncs, only
 * on tracked descriptors. Returns whether it was taken. */
static int LockShared(int fd) {
  if (!Tracked(fd)) return 0;
  pthread_rwlock_rdlock(&g_order);
  return 1;
}
static int LockExclusive(int fd) {
  if (!Tracked(fd)) return 0;
  pthread_rwlock_wrlock(&g_order);
  return 1;
}
static void Unlock(int taken) {
  if (taken) pthread_rwlock_unlock(&g_order);
}

/* A successful write of `n` bytes that ended at the file position. */
static void AfterWrite(int fd, const struct iovec* iov, int iovcnt, ssize_t n, long long offset) {
  if (n <= 0 || !Tracked(fd)) return;
  pthread_mutex_lock(&g_mu);
  if (offset < 0) offset = (long long)lseek(fd, 0, SEEK_CUR) - n;
  Record('W', fd, offset, iov, iovcnt, (size_t)n);
  pthread_mutex_unlock(&g_mu);
}

ssize_t write(int fd, const void* buf, size_t count) {
  Resolve();
  int ordered = LockShared(fd);
  ssize_t n = real_write(fd, buf, count);
  int saved = errno;
  struct iovec v = {(void*)buf, count};
  AfterWrite(fd, &v, 1, n, -1);
  Unlock(ordered);
  errno = saved;
  return n;
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  Resolve();
  int ordered = LockShared(fd);
  ssize_t n = real_pwrite(fd, buf, count, offset);
  int saved = errno;
  struct iovec v = {(void*)buf, count};
  AfterWrite(fd, &v, 1, n, offset);
  Unlock(ordered);
  errno = saved;
  return n;
}
ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset)
    __attribute__((alias("pwrite")));

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  Resolve();
  int ordered = LockShared(fd);
  ssize_t n = real_writev(fd, iov, iovcnt);
  int saved = errno;
  AfterWrite(fd, iov, iovcnt, n, -1);
  Unlock(ordered);
  errno = saved;
  return n;
}

/* Whether PLAB_FSREC_DROP hides this fsync from the log. */
static int Dropped(int fd) {
  struct stat st;
  if (!(g_drop_file_syncs || g_drop_dir_syncs) || fstat(fd, &st) != 0) return 0;
  return S_ISDIR(st.st_mode) ? g_drop_dir_syncs : g_drop_file_syncs;
}

static int AfterFdOp(char op, int fd, long long arg, int rc) {
  int saved = errno;
  if (rc == 0 && Tracked(fd) && !(op == 'S' && Dropped(fd))) {
    pthread_mutex_lock(&g_mu);
    RecordBuf(op, fd, arg, NULL, 0);
    pthread_mutex_unlock(&g_mu);
  }
  errno = saved;
  return rc;
}

int fsync(int fd) {
  Resolve();
  int ordered = LockExclusive(fd);
  int rc = AfterFdOp('S', fd, 0, real_fsync(fd));
  Unlock(ordered);
  return rc;
}
int fdatasync(int fd) {
  Resolve();
  int ordered = LockExclusive(fd);
  int rc = AfterFdOp('S', fd, 0, real_fdatasync(fd));
  Unlock(ordered);
  return rc;
}
int sync_file_range(int fd, off_t off, off_t n, unsigned int flags) {
  Resolve();
  return AfterFdOp('R', fd, 0, real_sfr(fd, off, n, flags));
}
int ftruncate(int fd, off_t length) {
  Resolve();
  int ordered = LockShared(fd);
  int rc = AfterFdOp('T', fd, (long long)length, real_ftruncate(fd, length));
  Unlock(ordered);
  return rc;
}
int ftruncate64(int fd, off_t length) __attribute__((alias("ftruncate")));

int close(int fd) {
  Resolve();
  int tracked = Tracked(fd);
  int rc = real_close(fd);
  int saved = errno;
  if (tracked) {
    pthread_mutex_lock(&g_mu);
    RecordBuf('C', fd, 0, NULL, 0);
    free(g_fd_path[fd]);
    g_fd_path[fd] = NULL;
    pthread_mutex_unlock(&g_mu);
  }
  errno = saved;
  return rc;
}

void sync(void) {
  Resolve();
  real_sync();
  if (g_log_fd < 0) return;
  pthread_mutex_lock(&g_mu);
  RecordBuf('X', -1, 0, NULL, 0);
  pthread_mutex_unlock(&g_mu);
}

/* A path operation (unlink, mkdir) that succeeded. */
static int AfterPathOp(char op, int dirfd, const char* path, int rc) {
  int saved = errno;
  char abs[PATH_MAX];
  if (rc == 0 && Absolute(dirfd, path, abs) && UnderRoot(abs)) {
    pthread_mutex_lock(&g_mu);
    RecordBuf(op, -1, 0, abs, strlen(abs));
    pthread_mutex_unlock(&g_mu);
  }
  errno = saved;
  return rc;
}

int unlink(const char* path) {
  Resolve();
  return AfterPathOp('U', AT_FDCWD, path, real_unlink(path));
}
int unlinkat(int dirfd, const char* path, int flags) {
  Resolve();
  /* AT_REMOVEDIR (rmdir) is logged as an unlink of the directory. */
  return AfterPathOp('U', dirfd, path, real_unlinkat(dirfd, path, flags));
}
int mkdir(const char* path, mode_t mode) {
  Resolve();
  return AfterPathOp('M', AT_FDCWD, path, real_mkdir(path, mode));
}

static int AfterRename(int olddir, const char* from, int newdir, const char* to, int rc) {
  int saved = errno;
  char a[PATH_MAX], b[PATH_MAX];
  if (rc == 0 && Absolute(olddir, from, a) && Absolute(newdir, to, b) &&
      (UnderRoot(a) || UnderRoot(b))) {
    size_t la = strlen(a), lb = strlen(b);
    struct iovec v[3] = {{a, la}, {(void*)"", 1}, {b, lb}};
    pthread_mutex_lock(&g_mu);
    Record('N', -1, 0, v, 3, la + 1 + lb);
    pthread_mutex_unlock(&g_mu);
  }
  errno = saved;
  return rc;
}

int rename(const char* from, const char* to) {
  Resolve();
  return AfterRename(AT_FDCWD, from, AT_FDCWD, to, real_rename(from, to));
}
int renameat(int olddir, const char* from, int newdir, const char* to) {
  Resolve();
  return AfterRename(olddir, from, newdir, to, real_renameat(olddir, from, newdir, to));
}
