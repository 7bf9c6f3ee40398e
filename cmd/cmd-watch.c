/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgapply watch: the rules daemon (cgrulesengd). It listens on the netlink process
 * connector (NETLINK_CONNECTOR, CN_IDX_PROC, PROC_CN_MCAST_LISTEN) and places each
 * process that execs or changes its uid or gid, as soon as the event arrives. At start,
 * after subscribing (so nothing falls between), it places every existing process. SIGHUP
 * reloads the configuration and places every process again by the new rules; a new
 * configuration that does not validate is reported and the old one kept. A receive
 * buffer overrun (ENOBUFS: events were lost) is answered by placing every process again.
 * SIGTERM and SIGINT end it (exit 0). Messages go to stderr (journald under systemd), or
 * to syslog with --syslog. It runs in the foreground (Type=simple).
 */
#include "config.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "apply/fs.h"
#include "apply/systemd.h"
#include "cmd/apply-common.h"
#include "cmd/cli.h"
#include "cmd/log.h"
#include "cmd/place.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define WATCH_RCVBUF (4 << 20)

const char cmd_watch_usage[] =
	"Usage: cgapply watch [OPTIONS]\n"
	"\n"
	"The rules daemon (cgrulesengd): place every process by the rules at start, then\n"
	"each process that runs a new program or changes its user or group, within\n"
	"milliseconds (netlink process connector). SIGHUP reloads the configuration (an\n"
	"invalid one is reported and the old one kept); SIGTERM and SIGINT stop it. Runs\n"
	"in the foreground; messages go to stderr (the journal under systemd) or syslog.\n"
	"\n"
	"Options:\n"
	"  -f, --file FILE|DIR      configuration (repeatable; default " SYSCONFDIR "/cgapply)\n"
	"      --parent PATH        the groups are under PATH in each hierarchy\n"
	"      --state-dir DIR      lock, taken to create template groups (default " CG_DEFAULT_STATE_DIR
	")\n"
	"      --lock-timeout SECS  wait that long for the lock to create a group (default 5)\n"
	"      --no-color           never colour the output\n"
	"  -q, --quiet              log errors only\n"
	"  -v, --verbose            log every event, not only the moves\n"
	"      --syslog             send messages to syslog(3) instead of stderr\n"
	"      --allow-systemd-cgroups  move processes into cgroups that systemd owns\n"
	"      --event-buffer SIZE  receive buffer for process events (default 4M); events\n"
	"                           lost to an overrun make watch place every process again\n"
	"  -h, --help               show this help\n"
	"\n"
	"Exit status: 0 stopped by a signal, 1 the process connector failed (also when not\n"
	"root), 3 invalid configuration at start, 4 precondition failed (no hierarchy, not\n"
	"the system's cgroup root), 64 usage.\n";

struct watch {
	struct apply_run r;
	const struct apply_opts *o;
	int nl; /* netlink socket */
	int sfd;
	size_t moved, events;
};

/* The part of a struct proc_event read here: the header and the id/exec event data. */
#define PROC_EVENT_MIN \
	(offsetof(struct proc_event, event_data) + sizeof(((struct proc_event *)0)->event_data.id))

static void logf_(const struct watch *w, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
logf_(const struct watch *w, int prio, const char *fmt, ...)
{
	va_list ap;

	if (w->o->quiet && prio > LOG_WARNING)
		return;
	log_next_priority(prio);
	fputs(prio <= LOG_ERR	    ? "cgapply: error: "
	      : prio == LOG_WARNING ? "cgapply: warning: "
				    : "cgapply: ",
	      stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void
print_diags(struct watch *w, struct cg_diags *d)
{
	struct report_opts eo = w->o->err;

	if (!d->n)
		return;
	eo.quiet = w->o->quiet;
	report_text_diags(d, &eo, stderr);
	fflush(stderr);
	cg_diags_release(d);
	cg_diags_init(d);
}

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * Places the processes (all when npids is 0) and logs each move; with `stamps` (the
 * kernel's CLOCK_MONOTONIC time of each pid's event), also how long after the event.
 */
static void
place(struct watch *w, const pid_t *pids, const uint64_t *stamps, size_t npids)
{
	const struct cg_place_opts po = { .parent = w->o->parent };
	struct cg_moves mv;
	struct cg_error *e = NULL;
	size_t i;

	cg_moves_init(&mv);
	if (cg_place_scan(w->r.model, &w->r.hosts, pids, npids, &po, &mv, &w->r.diags, &e) < 0) {
		logf_(w, LOG_ERR, "%s", e->msg);
		cg_error_free(e);
		goto out;
	}
	/* a pid from an event may be gone already: that is no news */
	if (npids) {
		cg_diags_release(&w->r.diags);
		cg_diags_init(&w->r.diags);
	}
	print_diags(w, &w->r.diags);
	if (!mv.n)
		goto out;
	/* as apply: no moves into cgroups systemd owns */
	if (!w->o->allow_systemd && cg_systemd_booted(NULL) &&
	    cg_place_check_systemd(w->r.fs, &w->r.hosts, &mv, &e) < 0) {
		char *t = report_error_text(e);

		logf_(w, LOG_ERR, "%s; not moved (--allow-systemd-cgroups moves them anyway)", t);
		free(t);
		cg_error_free(e);
		goto out;
	}
	if (place_create_groups(&w->r, &mv, true, &e) < 0) {
		char *t = report_error_text(e);

		logf_(w, LOG_ERR, "%s", t);
		free(t);
		cg_error_free(e);
		e = NULL;
	}
	if (cg_place_run(w->r.fs, NULL, &mv, &e) < 0)
		cg_error_free(e);
	for (i = 0; i < mv.n; i++) {
		const struct cg_move *m = &mv.items[i];
		struct strbuf u = STRBUF_INIT;

		if (m->status == CG_MOVE_DONE) {
			char after[64] = "";
			size_t k;

			for (k = 0; stamps && k < npids; k++)
				if (pids[k] == m->pid && now_ns() > stamps[k])
					snprintf(after, sizeof(after), " %.3f ms after the event",
						 (double)(now_ns() - stamps[k]) / 1e6);
			w->moved++;
			place_move_who(m, &u);
			logf_(w, LOG_INFO, "moved pid %ld (%s, %s) %s: /%s -> /%s%s", (long)m->pid,
			      u.buf, m->exe, *m->mount ? m->mount : "/", m->from, m->to, after);
		} else if (m->status == CG_MOVE_FAILED) {
			place_move_who(m, &u);
			logf_(w, LOG_WARNING, "cannot move pid %ld (%s, %s) %s: /%s -> /%s: %s",
			      (long)m->pid, u.buf, m->exe, *m->mount ? m->mount : "/", m->from,
			      m->to, strerror(m->errnum));
		}
		strbuf_release(&u);
	}
out:
	cg_moves_release(&mv);
}

static void
place_all(struct watch *w, const char *why)
{
	size_t before = w->moved;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	place(w, NULL, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	logf_(w, LOG_INFO, "%s: placed every process (%zu moved) in %.1f ms", why,
	      w->moved - before,
	      (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
}

static int
nl_open(size_t buffer, struct cg_error **err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	/* nlmsghdr, then cn_msg, then the operation: laid out byte by byte, as the kernel reads it
	 */
	union {
		struct nlmsghdr hdr;
		char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(enum proc_cn_mcast_op))];
	} msg;
	struct cn_msg cn;
	enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
	size_t len = NLMSG_LENGTH(sizeof(cn) + sizeof(op));
	int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	int size = buffer ? (int)buffer : WATCH_RCVBUF;

	if (fd < 0)
		return cg_error_set(err, CG_E_SYSTEM, errno,
				    "cannot open the netlink process connector");
	/* a large buffer makes overruns rare; the forced size needs CAP_NET_ADMIN */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		cg_error_set(err, CG_E_SYSTEM, errno, "cannot bind to the process connector");
		close(fd);
		return -1;
	}
	memset(&msg, 0, sizeof(msg));
	memset(&cn, 0, sizeof(cn));
	msg.hdr.nlmsg_len = (__u32)len;
	msg.hdr.nlmsg_type = NLMSG_DONE;
	cn.id.idx = CN_IDX_PROC;
	cn.id.val = CN_VAL_PROC;
	cn.len = sizeof(op);
	memcpy(msg.buf + NLMSG_HDRLEN, &cn, sizeof(cn));
	memcpy(msg.buf + NLMSG_HDRLEN + sizeof(cn), &op, sizeof(op));
	if (send(fd, msg.buf, len, 0) < 0) {
		cg_error_set(err, CG_E_SYSTEM, errno, "cannot subscribe to process events");
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what is queued; returns -1 on overrun (events lost), 0 otherwise. */
static int
nl_read(struct watch *w)
{
	union {
		struct nlmsghdr hdr;
		char buf[65536];
	} u;
	struct sockaddr_nl from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(w->nl, u.buf, sizeof(u.buf), MSG_DONTWAIT, (struct sockaddr *)&from,
			     &flen);
	struct nlmsghdr hb = { 0 };
	size_t off, avail;
	pid_t pids[64];
	uint64_t stamps[64];
	size_t npids = 0;

	if (n < 0) {
		if (errno == ENOBUFS)
			return -1;
		if (errno != EAGAIN && errno != EINTR)
			logf_(w, LOG_WARNING, "cannot read process events: %s", strerror(errno));
		return 0;
	}
	/* only the kernel speaks here */
	if (from.nl_pid != 0)
		return 0;
	/* walked by offset, each header copied out: NLMSG_NEXT casts against alignment */
	for (off = 0; off + NLMSG_HDRLEN <= (size_t)n; off += NLMSG_ALIGN(hb.nlmsg_len)) {
		const struct nlmsghdr *h = &hb;
		struct cn_msg cnh;
		struct proc_event evb;
		const struct proc_event *ev = &evb;
		pid_t pid = 0;

		memcpy(&hb, u.buf + off, sizeof(hb));
		if (hb.nlmsg_len < NLMSG_HDRLEN || off + hb.nlmsg_len > (size_t)n)
			break;
		if (h->nlmsg_type == NLMSG_NOOP)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_OVERRUN)
			return -1;
		/*
		 * Copied out: the payload of a netlink message has no alignment promise, and
		 * the kernel's struct proc_event may be shorter or longer than this header's.
		 */
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(cnh) + PROC_EVENT_MIN))
			continue;
		memcpy(&cnh, u.buf + off + NLMSG_HDRLEN, sizeof(cnh));
		if (cnh.id.idx != CN_IDX_PROC || cnh.id.val != CN_VAL_PROC)
			continue;
		memset(&evb, 0, sizeof(evb));
		avail = h->nlmsg_len - NLMSG_LENGTH(sizeof(cnh));
		memcpy(&evb, u.buf + off + NLMSG_HDRLEN + sizeof(cnh),
		       avail < sizeof(evb) ? avail : sizeof(evb));
		switch (ev->what) {
		case PROC_EVENT_EXEC:
			pid = ev->event_data.exec.process_tgid;
			break;
		case PROC_EVENT_UID:
		case PROC_EVENT_GID:
			pid = ev->event_data.id.process_tgid;
			break;
		default:
			break;
		}
		if (pid <= 0)
			continue;
		w->events++;
		if (w->o->verbose)
			logf_(w, LOG_DEBUG, "event %s for pid %ld",
			      ev->what == PROC_EVENT_EXEC  ? "exec"
			      : ev->what == PROC_EVENT_UID ? "uid"
							   : "gid",
			      (long)pid);
		if (npids == sizeof(pids) / sizeof(pids[0])) {
			place(w, pids, stamps, npids);
			npids = 0;
		}
		stamps[npids] = ev->timestamp_ns;
		pids[npids++] = pid;
	}
	if (npids)
		place(w, pids, stamps, npids);
	return 0;
}

static void
reload(struct watch *w)
{
	struct apply_run nr;

	apply_run_init(&nr, w->o);
	if (apply_run_config(&nr) < 0) {
		size_t errors = nr.diags.errors; /* print_diags empties them */

		print_diags(w, &nr.diags);
		logf_(w, LOG_ERR,
		      "the new configuration is invalid (%zu error%s); keeping the old one", errors,
		      errors == 1 ? "" : "s");
		apply_run_release(&nr);
		return;
	}
	print_diags(w, &nr.diags);
	cg_model_free(w->r.model);
	w->r.model = nr.model;
	nr.model = NULL;
	apply_run_release(&nr);
	logf_(w, LOG_INFO, "configuration reloaded: %zu rule%s", w->r.model->nrules,
	      w->r.model->nrules == 1 ? "" : "s");
	place_all(w, "reload");
}

static int
run_watch(const struct apply_opts *o)
{
	struct watch w = { .o = o, .nl = -1, .sfd = -1 };
	struct cg_error *e = NULL;
	sigset_t mask;
	int code = CG_EXIT_OK;

	apply_run_init(&w.r, o);
	if (apply_run_config(&w.r) < 0 || apply_run_open(&w.r) < 0)
		goto fail;
	if (strcmp(o->cgroup_root, CG_DEFAULT_CGROUP_ROOT) != 0) {
		cg_error_set(&e, CG_E_PRECOND, 0,
			     "watch places processes in the system's cgroups ('%s'), not in '%s'",
			     CG_DEFAULT_CGROUP_ROOT, o->cgroup_root);
		apply_run_set_error(&w.r, e);
		goto fail;
	}
	print_diags(&w, &w.r.diags);
	w.r.placing = true;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	w.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (w.sfd < 0) {
		cg_error_set(&e, CG_E_SYSTEM, errno, "cannot create a signalfd");
		apply_run_set_error(&w.r, e);
		goto fail;
	}
	/* subscribe first, so that no process falls between the scan and the events */
	w.nl = nl_open(o->event_buffer, &e);
	if (w.nl < 0) {
		apply_run_set_error(&w.r, e);
		w.r.code = CG_EXIT_FAILED;
		goto fail;
	}
	place_all(&w, "start");
	logf_(&w, LOG_NOTICE, "watching process events (%zu rule%s)", w.r.model->nrules,
	      w.r.model->nrules == 1 ? "" : "s");
	for (;;) {
		struct pollfd pf[2] = { { .fd = w.nl, .events = POLLIN },
					{ .fd = w.sfd, .events = POLLIN } };

		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			logf_(&w, LOG_ERR, "poll: %s", strerror(errno));
			code = CG_EXIT_FAILED;
			break;
		}
		if (pf[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(w.sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					logf_(&w, LOG_INFO, "SIGHUP: reloading the configuration");
					reload(&w);
				} else {
					logf_(&w, LOG_NOTICE, "stopping on signal %u (%zu moved)",
					      si.ssi_signo, w.moved);
					break;
				}
			}
		}
		if (pf[0].revents & (POLLIN | POLLERR)) {
			if (nl_read(&w) < 0) {
				logf_(&w, LOG_WARNING,
				      "process events were lost (receive buffer overrun); placing every process again");
				place_all(&w, "overrun");
			}
		}
	}
	goto out;
fail:
	code = apply_run_fail(&w.r);
out:
	if (w.nl >= 0)
		close(w.nl);
	if (w.sfd >= 0)
		close(w.sfd);
	apply_run_release(&w.r);
	return code;
}

int
cmd_watch(int argc, char **argv)
{
	struct apply_opts o;
	int code;

	if (apply_opts_parse(&o, "watch", cmd_watch_usage, AO_CONFIG | AO_LOCK | AO_EVENTS, argc,
			     argv, &code) < 0) {
		apply_opts_release(&o);
		return code;
	}
	code = run_watch(&o);
	apply_opts_release(&o);
	return code;
}
