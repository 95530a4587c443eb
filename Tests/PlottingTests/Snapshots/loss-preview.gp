# dnb: loss (terminal preview)
reset
set encoding utf8
set terminal dumb size 80,24 noenhanced
set output

set title 'loss'
set xlabel 'epoch'
set ylabel 'loss'
set xrange [0.5:4.5]
set xtics 1
set key top right

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

plot $series0 using 1:2 with linespoints title 'loss', \
     $series1 using 1:2 with linespoints title 'val_loss'
