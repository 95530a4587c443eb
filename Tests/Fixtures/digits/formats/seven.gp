# Draws seven.jpg, the JPEG fixture (a 7 on off-white paper, quality 90): gnuplot seven.gp
set terminal jpeg size 64,64 background "#f4f1ea"
set output "seven.jpg"
unset border; unset tics; unset key
set margins 0,0,0,0
set xrange [0:64]; set yrange [64:0]
plot '-' with lines lw 4 lc rgb "#1a1a40"
16 12
48 11
46 13
30 54
e
