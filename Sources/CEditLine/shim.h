// libedit's readline-compatible API.
#include <stdio.h>
#include <editline/readline.h>
