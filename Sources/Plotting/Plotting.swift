// Plotting: gnuplot script builders (filled in by the plotting work).
