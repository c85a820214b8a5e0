# idle shells end after ten minutes (cityguard hardened fixture)
readonly TMOUT=600
export TMOUT
