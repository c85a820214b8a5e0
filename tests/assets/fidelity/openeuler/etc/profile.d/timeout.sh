export TMOUT=300
readonly TMOUT
