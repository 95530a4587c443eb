# dnb: loss
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

set title 'loss' font ',12'
set xlabel 'epoch'
set ylabel 'loss'
set xrange [0.5:4.5]
set xtics 1
set grid lc rgb '#dddddd'
set key top right box opaque spacing 1.2 height 0.5

# loss: epoch, value
$series0 << EOD
1 0.412346
2 0.2
3 0.15
4 0.123457
EOD
# val_loss: epoch, value
$series1 << EOD
1 0.35
2 0.22
3 0.19
4 0.2
EOD

plot $series0 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#1f77b4' title 'loss', \
     $series1 using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#ff7f0e' title 'val_loss'
unset output
