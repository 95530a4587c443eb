# dnb: training and validation loss
# Self-contained (all data inline): render with `gnuplot loss.gp`;
# the image loss.png is written next to this script.
reset
set encoding utf8
set terminal pngcairo size 800,500 font 'DejaVu Sans,10' noenhanced
# ARG0 is this script's path as gnuplot was given it; keep its directory part.
dnb_dir = exists('ARG0') ? ARG0 : ''
dnb_i = strlen(dnb_dir)
while (dnb_i > 0 && dnb_dir[dnb_i:dnb_i] ne '/') { dnb_i = dnb_i - 1 }
dnb_dir = dnb_i > 0 ? dnb_dir[1:dnb_i] : ''
set output dnb_dir.'loss.png'

set title 'training and validation loss' font ',12'
set xlabel 'epoch'
set ylabel 'loss'
set xrange [0.5:10.5]
set xtics 1
set grid lc rgb '#dddddd'
set key top right box opaque spacing 1.2 height 0.5

# loss: epoch, value
$series0 << EOD
1 0.284743
2 0.128175
3 0.0881976
4 0.0666038
5 0.0502775
6 0.0397416
7 0.0316339
8 0.0250206
9 0.020047
10 0.0164806
EOD
# val_loss: epoch, value
$series1 << EOD
1 0.154431
2 0.122344
3 0.101412
4 0.0900563
5 0.0917357
6 0.0905148
7 0.0890329
8 0.0950251
9 0.0994901
10 0.0958245
EOD

plot $series0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#1f77b4' title 'loss', \
     $series1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#ff7f0e' title 'val_loss'
unset output
