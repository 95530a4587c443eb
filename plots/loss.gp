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
set key top right box opaque

# loss: epoch, value
$series0 << EOD
1 0.284743
2 0.128372
3 0.0880735
4 0.0662946
5 0.0496719
6 0.039636
7 0.0307166
8 0.0256323
9 0.0195835
10 0.0162312
EOD
# val_loss: epoch, value
$series1 << EOD
1 0.154433
2 0.123117
3 0.101012
4 0.0917063
5 0.0914541
6 0.0909937
7 0.0911148
8 0.0949253
9 0.0959169
10 0.0955034
EOD

plot $series0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#1f77b4' title 'loss', \
     $series1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#ff7f0e' title 'val_loss'
unset output
