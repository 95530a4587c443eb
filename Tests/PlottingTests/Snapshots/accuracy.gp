# dnb: accuracy
# Self-contained (all data inline): render with `gnuplot accuracy.gp`;
# the image accuracy.png is written next to this script.
reset
set encoding utf8
set terminal pngcairo size 800,500 font 'DejaVu Sans,10' noenhanced
# ARG0 is this script's path as gnuplot was given it; keep its directory part.
dnb_dir = exists('ARG0') ? ARG0 : ''
dnb_i = strlen(dnb_dir)
while (dnb_i > 0 && dnb_dir[dnb_i:dnb_i] ne '/') { dnb_i = dnb_i - 1 }
dnb_dir = dnb_i > 0 ? dnb_dir[1:dnb_i] : ''
set output dnb_dir.'accuracy.png'

set title 'accuracy' font ',12'
set xlabel 'epoch'
set ylabel 'accuracy'
set xrange [0.5:4.5]
set xtics 1
set grid lc rgb '#dddddd'
set key bottom right box opaque spacing 1.2 height 0.5

# accuracy: epoch, value
$series0 << EOD
1 0.88
2 0.93
3 0.955
4 0.9651
EOD
# val_accuracy: epoch, value
$series1 << EOD
1 0.9
2 NaN
3 0.94
4 0.945
EOD

plot $series0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#1f77b4' title 'accuracy', \
     $series1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#ff7f0e' title 'val_accuracy'
unset output
