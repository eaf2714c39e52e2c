package pgembed

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// account is the operating-system user initdb, pg_ctl and postgres run as when umkmbot runs
// as root, which they refuse. As any other user they simply run as that user, and the
// *account is nil.
type account struct {
	name string
	uid  uint32
	gid  uint32
	gids []uint32 // all its groups, to tell whether it may enter a directory
}

// serverAccount returns the account to run the server as: nil when we are not root, else
// the "postgres" user or, failing that, "nobody".
func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var errs []error
	for _, name := range []string{"postgres", "nobody"} {
		acct, err := lookupAccount(name)
		if err == nil {
			return acct, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged user to run as: %w", errors.Join(errs...))
}

func lookupAccount(name string) (*account, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("look up user %q: %w", name, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("parse uid %q of user %q: %w", u.Uid, name, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("parse gid %q of user %q: %w", u.Gid, name, err)
	}
	acct := &account{name: name, uid: uint32(uid), gid: uint32(gid), gids: []uint32{uint32(gid)}}
	groupIDs, _ := u.GroupIds() // best effort: without them we only count the primary group
	for _, g := range groupIDs {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			acct.gids = append(acct.gids, uint32(n))
		}
	}
	return acct, nil
}

// credential is what exec.Cmd needs to run a command as acct; nil runs it as ourselves.
func (acct *account) credential() *syscall.Credential {
	if acct == nil {
		return nil
	}
	return &syscall.Credential{Uid: acct.uid, Gid: acct.gid}
}

// prepareDataDir creates dataDir and its parents and, when the server runs as another
// account, hands dataDir to it after checking that it can get there.
func prepareDataDir(dataDir string, acct *account) error {
	if err := os.MkdirAll(filepath.Dir(dataDir), 0o755); err != nil {
		return fmt.Errorf("create parent of PostgreSQL data directory: %w", err)
	}
	if err := os.Mkdir(dataDir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create PostgreSQL data directory: %w", err)
	}
	if acct == nil {
		return nil
	}
	if err := acct.checkCanEnter(filepath.Dir(dataDir)); err != nil {
		return err
	}
	if err := os.Chown(dataDir, int(acct.uid), int(acct.gid)); err != nil {
		return fmt.Errorf("hand PostgreSQL data directory to user %q: %w", acct.name, err)
	}
	return nil
}

// checkCanEnter reports which of dir and its ancestors acct may not traverse. We say so
// rather than loosen the permissions of someone's directories behind their back.
func (acct *account) checkCanEnter(dir string) error {
	for {
		info, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("check access to %s: %w", dir, err)
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		if ok && !acct.mayTraverse(info.Mode().Perm(), st.Uid, st.Gid) {
			return fmt.Errorf("running as root, PostgreSQL runs as user %q, which cannot enter %s (mode %04o, owner uid %d): "+
				"allow it (chmod o+x %s) or put DATA_DIR somewhere it can reach", acct.name, dir, info.Mode().Perm(), st.Uid, dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil
		}
		dir = parent
	}
}

func (acct *account) mayTraverse(perm os.FileMode, ownerUID, ownerGID uint32) bool {
	switch {
	case ownerUID == acct.uid:
		return perm&0o100 != 0
	case slices.Contains(acct.gids, ownerGID):
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}
