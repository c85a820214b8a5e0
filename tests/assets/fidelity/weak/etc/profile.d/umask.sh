umask 000
